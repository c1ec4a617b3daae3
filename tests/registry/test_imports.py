"""Enrolling vehicles from a CSV file: every good row in, or, with any bad row, none."""

from __future__ import annotations

import itertools
from collections.abc import Callable

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select

from milestone.clock import ManualClock
from milestone.program.service import Program, load_program
from milestone.registry.imports import VehicleImportRefused, import_vehicles, read_vehicle_rows
from milestone.registry.models import Vehicle, VehicleKey
from milestone.registry.vehicles import active_key, register_vehicle
from milestone.registry.vin import hash_vin, synthetic_vin
from milestone.storage import Database
from milestone.vehicle import generate_signing_key

HEADER = "vin,public_key,model\n"
SERIALS = itertools.count(1)


def new_key() -> str:
    return bytes(generate_signing_key().verify_key).hex()


def good_row(serial: int | None = None) -> str:
    return f"{synthetic_vin(serial or next(SERIALS))},{new_key()},ES8\n"


def vehicles(database: Database) -> int:
    with database.session() as session:
        return int(session.execute(select(func.count()).select_from(Vehicle)).scalar_one())


def run_import(database: Database, clock: ManualClock, text: str) -> object:
    return database.run(lambda session: import_vehicles(session, clock, text.splitlines(True)))


def test_a_good_file_registers_every_vehicle_with_its_key(
    database: Database, clock: ManualClock, program: Program
) -> None:
    rows = [good_row() for _ in range(50)]
    report = run_import(database, clock, HEADER + "".join(rows))
    assert report.vehicles == 50  # type: ignore[attr-defined]
    with database.session() as session:
        salt = load_program(session).pseudonym_salt
        for row in rows:
            vin, key, _ = row.strip().split(",")
            vehicle = session.execute(select(Vehicle).where(Vehicle.vin == vin)).scalar_one()
            assert bytes(vehicle.vin_hash) == hash_vin(salt, vin)
            active = active_key(session, vehicle.id)
            assert active is not None and bytes(active.public_key).hex() == key
            assert active.serial == 1 and active.added_at == clock.now()


def test_every_bad_row_is_named_with_its_line_and_code_and_nothing_is_imported(
    database: Database, clock: ManualClock, program: Program, snapshot: Callable[[], object]
) -> None:
    taken = synthetic_vin(next(SERIALS))
    taken_key = generate_signing_key().verify_key
    database.run(lambda s: register_vehicle(s, clock, vin=taken, public_key=bytes(taken_key)))
    before = snapshot()
    twice = good_row()
    text = HEADER + "".join([
        good_row(),                                    # line 2
        "LMSCSP70XSM00000I,00,ES8\n",                  # 3: bad VIN
        f"{synthetic_vin(next(SERIALS))},zz,ES8\n",    # 4: key not hex
        f"{synthetic_vin(next(SERIALS))},{'00' * 32},ES8\n",  # 5: 32 bytes, not a point
        f"{taken},{new_key()},ES8\n",                  # 6: VIN registered already
        f"{synthetic_vin(next(SERIALS))},{bytes(taken_key).hex()},\n",  # 7: key in use
        twice,                                         # 8
        twice,                                         # 9: the same VIN and key again
        "only,two\n",                                  # 10: wrong number of values
        f"{synthetic_vin(next(SERIALS))},{new_key()},{'M' * 65}\n",  # 11: model too long
    ])  # fmt: skip
    with pytest.raises(VehicleImportRefused) as refused:
        run_import(database, clock, text)
    found = [(error.line, error.code) for error in refused.value.errors]
    assert found == [
        (3, "invalid_vin"),
        (4, "invalid_public_key"),
        (5, "invalid_public_key"),
        (6, "vin_already_registered"),
        (7, "public_key_in_use"),
        (9, "vin_already_registered"),
        (9, "public_key_in_use"),
        (10, "invalid_csv_row"),
        (11, "invalid_field"),
    ]
    assert snapshot() == before


def test_conflicts_with_the_registry_are_found_once_the_rows_are_well_formed(
    database: Database, clock: ManualClock, program: Program
) -> None:
    taken = synthetic_vin(next(SERIALS))
    key = bytes.fromhex(new_key())
    database.run(lambda s: register_vehicle(s, clock, vin=taken, public_key=key))
    twice = good_row()
    with pytest.raises(VehicleImportRefused) as refused:
        run_import(database, clock, HEADER + good_row() + f"{taken},{new_key()},\n" + twice + twice)
    assert [(e.line, e.code) for e in refused.value.errors] == [
        (3, "vin_already_registered"), (5, "vin_already_registered"), (5, "public_key_in_use"),
    ]
    assert vehicles(database) == 1


@pytest.mark.parametrize(
    "header", ["", "vin\n", "vin,public_key,colour\n", "vin,vin,public_key\n"]
)
def test_a_file_without_the_right_header_is_refused(header: str) -> None:
    rows, errors = read_vehicle_rows((header + good_row()).splitlines(True))
    assert rows == [] and [(e.line, e.code) for e in errors] == [(1, "invalid_csv_header")]


def test_columns_may_come_in_any_order_and_model_is_optional() -> None:
    key = new_key()
    vin = synthetic_vin(next(SERIALS))
    rows, errors = read_vehicle_rows(["public_key,vin\n", f"0x{key},{vin.lower()}\n", "\n"])
    assert errors == []
    assert [(r.line, r.vin, r.public_key.hex(), r.model) for r in rows] == [(2, vin, key, None)]


@settings(
    max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(layout=st.lists(st.booleans(), min_size=1, max_size=12))
def test_a_file_goes_in_whole_or_not_at_all(
    database: Database, clock: ManualClock, program: Program, layout: list[bool]
) -> None:
    """Property: for any mix of good (True) and bad rows, either every row is imported (no bad
    row) or none, and the errors name exactly the bad lines."""
    before = vehicles(database)
    rows = [good_row() if good else f"{synthetic_vin(next(SERIALS))},nothex,\n" for good in layout]
    bad_lines = [line for line, good in enumerate(layout, start=2) if not good]
    try:
        run_import(database, clock, HEADER + "".join(rows))
    except VehicleImportRefused as refused:
        assert [error.line for error in refused.errors] == bad_lines
        assert vehicles(database) == before
    else:
        assert bad_lines == []
        assert vehicles(database) == before + len(layout)
    with database.session() as session:
        keys = session.execute(select(func.count()).select_from(VehicleKey)).scalar_one()
        assert keys == vehicles(database)
