"""Batch intake: a verdict per item whatever the item, idempotency, atomicity, concurrency."""

from __future__ import annotations

import multiprocessing
import os
import threading
from typing import Any

import pytest
from sqlalchemy import func, insert, select, update

from milestone.clock import ManualClock
from milestone.storage import Database
from milestone.telemetry import intake
from milestone.telemetry.intake import ingest
from milestone.telemetry.models import Trip, TripRejection, TripRound, VehicleCursor
from milestone.telemetry.queries import find_orphans

GENESIS = 1_767_225_600
HOUR = 3_600


def next_trip(car: Any, hour: int, km: int = 20) -> bytes:
    """A trip of `km` starting at `hour` o'clock on day 0, continuing the car's odometer."""
    start_odometer = getattr(car, "odometer", 0)
    car.odometer = start_odometer + km * 1_000
    return car.signer.report_trip(
        trip_id=os.urandom(16),
        started_at=GENESIS + hour * HOUR,
        ended_at=GENESIS + hour * HOUR + 1_800,
        odometer_start_m=start_odometer,
        odometer_end_m=car.odometer,
        distance_m=km * 1_000,
    )


def counts(database: Database) -> tuple[int, int, int, int]:
    with database.session() as session:
        return tuple(  # type: ignore[return-value]
            session.execute(select(func.count()).select_from(model)).scalar_one()
            for model in (Trip, TripRound, TripRejection, VehicleCursor)
        )


@pytest.fixture
def car(enroll: Any, clock: ManualClock) -> Any:
    car = enroll()
    clock.set(GENESIS + 20 * HOUR)
    return car


def test_every_item_gets_a_verdict_and_bad_items_do_not_spoil_the_batch(
    database: Database, clock: ManualClock, car: Any
) -> None:
    good = next_trip(car, 8)
    items: list[object] = [
        None, "a string", 12345, [1, 2], b"", b"\x01", bytes(10_000), good, bytearray(good),
    ]
    verdicts = ingest(database, clock, items)
    assert [v.position for v in verdicts] == list(range(len(items)))
    assert [v.code for v in verdicts] == [
        "malformed_report", "malformed_report", "malformed_report", "malformed_report",
        "malformed_report", "malformed_report", "unsupported_version", "accepted", "accepted",
    ]
    assert verdicts[-1].replayed and not verdicts[-2].replayed
    # Bytes are remembered (so a resend is recognised), items that are not bytes are not; a
    # blob too large to be a report is kept without its bytes.
    with database.session() as session:
        rejected = session.execute(select(TripRejection.code, TripRejection.envelope)).all()
    assert sorted((code, envelope is None) for code, envelope in rejected) == [
        ("malformed_report", False), ("malformed_report", False), ("unsupported_version", True),
    ]


def test_the_same_report_again_returns_the_original_verdict_and_changes_nothing(
    database: Database, clock: ManualClock, car: Any
) -> None:
    accepted = next_trip(car, 8)
    forged = bytearray(next_trip(car, 9))
    forged[-1] ^= 1
    first = ingest(database, clock, [accepted, bytes(forged)])
    before = counts(database)
    clock.advance(HOUR)
    again = ingest(database, clock, [bytes(forged), accepted])
    assert counts(database) == before
    assert [(v.code, v.replayed) for v in again] == [
        ("bad_signature", True), ("accepted", True),
    ]
    assert again[1].report_hash == first[0].report_hash
    assert (again[1].vehicle_id, again[1].sequence, again[1].trip_id) == (
        first[0].vehicle_id, first[0].sequence, first[0].trip_id,
    )


def test_a_vehicles_reports_are_judged_in_sequence_order_within_a_batch(
    database: Database, clock: ManualClock, car: Any
) -> None:
    reports = [next_trip(car, hour) for hour in (6, 8, 10, 12)]
    verdicts = ingest(database, clock, list(reversed(reports)))
    assert all(v.accepted for v in verdicts)
    assert [v.sequence for v in verdicts] == [4, 3, 2, 1]


def test_partial_acceptance_keeps_the_good_and_names_the_bad(
    database: Database, clock: ManualClock, car: Any, enroll: Any
) -> None:
    other = enroll()  # consent from 20:00
    clock.set(GENESIS + 22 * HOUR)
    first, second = next_trip(car, 8), next_trip(car, 10)
    car.odometer += 50_000  # 50 km nobody reported
    after_gap = next_trip(car, 12)
    verdicts = ingest(database, clock, [first, second, after_gap, next_trip(other, 20)])
    assert [v.code for v in verdicts] == ["accepted", "accepted", "odometer_gap", "accepted"]
    # The rejected report still moved the car's cursor: the next honest report continues it.
    assert ingest(database, clock, [next_trip(car, 14)])[0].accepted


def test_a_glitch_costs_its_own_trip_and_not_the_next_honest_one(
    database: Database, clock: ManualClock, car: Any
) -> None:
    clock.set(GENESIS + 22 * HOUR)
    first = next_trip(car, 6)
    real_odometer = car.odometer
    garbled = car.signer.report_trip(  # the ECU read 900 km for a 30-minute trip
        trip_id=os.urandom(16), started_at=GENESIS + 8 * HOUR, ended_at=GENESIS + 8 * HOUR + 1_800,
        odometer_start_m=real_odometer, odometer_end_m=real_odometer + 900_000,
        distance_m=900_000,
    )
    future = car.signer.report_trip(  # the car's clock jumped a day ahead
        trip_id=os.urandom(16), started_at=GENESIS + 46 * HOUR,
        ended_at=GENESIS + 46 * HOUR + 1_800, odometer_start_m=real_odometer,
        odometer_end_m=real_odometer + 1_000, distance_m=1_000,
    )
    verdicts = ingest(database, clock, [first, garbled, future, next_trip(car, 10)])
    assert [v.code for v in verdicts] == ["accepted", "over_speed", "trip_in_future", "accepted"]


def test_a_report_that_does_not_continue_the_previous_one_still_moves_the_cursor(
    database: Database, clock: ManualClock, car: Any
) -> None:
    clock.set(GENESIS + 22 * HOUR)
    first = next_trip(car, 6)
    car.odometer += 50_000  # driven with nothing reported: the car is somewhere else now
    verdicts = ingest(database, clock, [first, next_trip(car, 8), next_trip(car, 10)])
    assert [v.code for v in verdicts] == ["accepted", "odometer_gap", "accepted"]


def test_a_crash_inside_the_batch_leaves_nothing_of_it(
    database: Database, clock: ManualClock, car: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    batch = [next_trip(car, hour) for hour in (6, 8)] + [b"garbage"]
    original = intake.write_trips

    def crash_after_trips(*args: Any) -> None:
        original(*args)
        raise RuntimeError("the worker died half-way through its writes")

    monkeypatch.setattr(intake, "write_trips", crash_after_trips)
    with pytest.raises(RuntimeError):
        ingest(database, clock, batch)
    assert counts(database) == (0, 0, 0, 0)
    monkeypatch.undo()
    assert [v.code for v in ingest(database, clock, batch)] == [
        "accepted", "accepted", "unsupported_version",
    ]


def die_mid_batch(url: str, now: int, batch: list[bytes]) -> None:
    """In a child process: write the batch's trips, then die without commit or rollback."""
    database = Database.from_url(url)
    original = intake.write_trips

    def write_then_die(*args: Any) -> None:
        original(*args)
        os._exit(17)

    intake.write_trips = write_then_die  # type: ignore[assignment]
    ingest(database, ManualClock(now), batch)


def test_a_killed_worker_leaves_nothing_of_its_batch(
    database: Database, database_url: str, clock: ManualClock, car: Any
) -> None:
    batch = [next_trip(car, hour) for hour in (6, 8, 10)]
    context = multiprocessing.get_context("spawn")
    worker = context.Process(target=die_mid_batch, args=(database_url, clock.now(), batch))
    worker.start()
    worker.join(60)
    assert worker.exitcode == 17
    assert counts(database) == (0, 0, 0, 0)
    assert all(v.accepted for v in ingest(database, clock, batch))


def test_two_workers_given_the_same_reports_store_each_once(
    database: Database, database_url: str, clock: ManualClock, enroll: Any
) -> None:
    cars = [enroll() for _ in range(4)]
    clock.set(GENESIS + 20 * HOUR)
    batch = [next_trip(car, hour) for hour in (6, 8, 10) for car in cars]
    results: list[list[Any]] = []
    errors: list[BaseException] = []

    def work(items: list[bytes]) -> None:
        worker_db = Database.from_url(database_url)
        try:
            results.append(ingest(worker_db, clock, items))
        except BaseException as error:  # pragma: no cover - reported below
            errors.append(error)
        finally:
            worker_db.dispose()

    threads = [threading.Thread(target=work, args=(order,)) for order in (batch, batch[::-1])]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    first, second = results
    assert all(v.accepted for v in first + second)
    assert all(v.replayed for v in second)  # the later worker found every report judged
    assert counts(database)[0] == len(batch)


def test_the_orphan_check_finds_round_shares_without_a_trip(
    database: Database, clock: ManualClock, car: Any
) -> None:
    assert all(v.accepted for v in ingest(database, clock, [next_trip(car, 8)]))
    with database.session() as session:
        assert find_orphans(session) == {
            "trips_without_vehicle": 0, "trips_without_owner": 0, "rounds_without_trip": 0,
        }
    with database.transaction() as session:
        session.execute(insert(TripRound).values(
            vehicle_id=car.vehicle_id, epoch=0, round=0, sequence=99, owner_id=car.owner_id,
            meters=1, behaviour_bps=None,
        ))
        session.execute(update(Trip).values(owner_id=999))
    with database.session() as session:
        assert find_orphans(session) == {
            "trips_without_vehicle": 0, "trips_without_owner": 1, "rounds_without_trip": 1,
        }
