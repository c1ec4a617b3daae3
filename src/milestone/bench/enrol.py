"""Enrolling vehicles: `milestone vehicle import` against `register_vehicle` one at a time.

The floor is the check every key must pass (on the curve, in the prime-order subgroup), alone.
Both register the same kind of vehicles (VIN, factory key) in fresh databases of the same
backend; the import's rate is the whole command's work (reading the CSV, every check, the
conflict queries, the inserts, the commit), the single rate one transaction per vehicle as
the API's registration route does it. Measured in one run, so the ratio is what the machine's
load disturbs least.
"""

from __future__ import annotations

import io
import os
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from functools import partial
from typing import Any

from sqlalchemy.orm import Session

from milestone.clock import ManualClock
from milestone.program.service import create_program
from milestone.registry.imports import import_vehicles
from milestone.registry.vehicles import register_vehicle, validate_public_key
from milestone.registry.vin import synthetic_vin
from milestone.rules.params import get_preset
from milestone.storage import Database, scratch
from milestone.storage.migrations import migrate
from milestone.vehicle import generate_signing_key

GENESIS = 1_767_225_600


@contextmanager
def fresh_database(backend: str) -> Iterator[Database]:
    """A migrated database with a program, of `backend`, dropped afterwards."""
    if backend == "sqlite":
        with tempfile.TemporaryDirectory() as directory:
            database = Database.from_url(f"sqlite:///{directory}/bench.db")
            migrate(database.engine)
            with database.transaction() as session:
                create_program(session, ManualClock(GENESIS), get_preset("minimal"),
                               genesis=GENESIS)
            yield database
            database.dispose()
        return
    server = scratch.server_url()
    name = scratch.unique_name("milestone_bench_enrol")
    url = scratch.create_database(server, name).render_as_string(hide_password=False)
    database = Database.from_url(url)
    try:
        migrate(database.engine)
        with database.transaction() as session:
            create_program(session, ManualClock(GENESIS), get_preset("minimal"), genesis=GENESIS)
        yield database
    finally:
        database.dispose()
        scratch.drop_database(server, name)


def timed(work: Callable[[], object]) -> tuple[float, float]:
    wall, cpu = time.perf_counter(), time.process_time()
    work()
    return time.perf_counter() - wall, time.process_time() - cpu


def register_one(session: Session, *, clock: ManualClock, serial: int, key: bytes) -> None:
    register_vehicle(session, clock, vin=synthetic_vin(serial + 1), public_key=key)


def measure(backend: str, vehicles: int, singles: int) -> dict[str, Any]:
    keys = [bytes(generate_signing_key().verify_key) for _ in range(vehicles + singles)]
    text = "vin,public_key,model\n" + "".join(
        f"{synthetic_vin(serial + 1)},{keys[serial].hex()},ES8\n" for serial in range(vehicles)
    )
    clock = ManualClock(GENESIS)
    floor_wall, floor_cpu = timed(lambda: [validate_public_key(key) for key in keys[:vehicles]])
    with fresh_database(backend) as database:
        wall, cpu = timed(
            lambda: database.run(
                lambda session: import_vehicles(session, clock, io.StringIO(text))
            )
        )

        def one_by_one() -> None:
            for serial in range(vehicles, vehicles + singles):
                database.run(partial(register_one, clock=clock, serial=serial, key=keys[serial]))

        single_wall, single_cpu = timed(one_by_one)
    return {
        "vehicles": vehicles,
        "import_per_s": round(vehicles / wall),
        "import_cpu_us_per_vehicle": round(cpu / vehicles * 1e6, 1),
        "single_per_s": round(singles / single_wall),
        "single_cpu_us_per_vehicle": round(single_cpu / singles * 1e6, 1),
        "import_over_single": round((vehicles / wall) / (singles / single_wall), 1),
        "key_check_floor_per_s": round(vehicles / floor_wall),
        "key_check_cpu_us_per_vehicle": round(floor_cpu / vehicles * 1e6, 1),
        "import_over_key_check_floor": round(floor_wall / wall, 2),
    }


def run_enrol_bench(vehicles: int, singles: int, postgres: bool = True) -> dict[str, Any]:
    """Import and single registration rates per backend, with the load average at start."""
    result: dict[str, Any] = {
        "load_average_at_start": round(os.getloadavg()[0], 2),
        "cores": os.cpu_count(),
        "sqlite": measure("sqlite", vehicles, singles),
    }
    if postgres:
        reason = scratch.unreachable_reason(scratch.server_url())
        result["postgresql"] = (
            {"skipped": reason} if reason else measure("postgresql", vehicles, singles)
        )
    return result
