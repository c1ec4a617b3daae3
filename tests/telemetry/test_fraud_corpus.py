"""The fraud corpus: for every rejection code, a report crafted to trigger that check and only it.

Each case is judged against the same honest state: a car that already reported one trip. The
case must be rejected with its code, `explain_reports` must find that one failing check and no
other, and the honest next report must be accepted in the same state.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from typing import Any

import pytest

from milestone.clock import ManualClock
from milestone.registry.vehicles import revoke_key, rotate_key
from milestone.rules.reports import (
    BODY_LAYOUT,
    REPORT_VERSION,
    SIGNING_CONTEXT,
    decode_envelope,
    encode_report,
)
from milestone.storage import Database
from milestone.telemetry.closure import close_epoch
from milestone.telemetry.intake import explain_reports, ingest, ingest_batch
from milestone.telemetry.verify import Verdict
from milestone.vehicle import VehicleSigner, generate_signing_key

GENESIS = 1_767_225_600  # as tests/conftest.py
EnrolledVehicle = Any  # tests/conftest.py's: vehicle_id, owner_id, signer
Enroll = Callable[..., Any]

HOUR = 3_600
DAY = 86_400
NOW = GENESIS + 10 * HOUR
TRIP_START = GENESIS + 8 * HOUR


@pytest.fixture
def clock() -> ManualClock:
    # Consent given two days before genesis, so a trip before genesis is consented.
    return ManualClock(GENESIS - 2 * DAY)


def judge_alone(database: Database, clock: ManualClock, envelope: bytes) -> Verdict:
    """The verdict the intake would give, in a transaction rolled back afterwards."""
    with database.session() as session:
        verdict = ingest_batch(session, clock, [envelope])[0]
        session.rollback()
    return verdict


def explain(database: Database, clock: ManualClock, envelope: bytes) -> list[str]:
    with database.session() as session:
        return explain_reports(session, clock, [envelope])[0]


def trip(car: EnrolledVehicle, **fields: int | bytes) -> bytes:
    """The car's next report: by default a 30-minute, 25 km trip right after the first one."""
    values: dict[str, int | bytes] = {
        "trip_id": bytes([car.signer.last_sequence + 1]) * 16,
        "started_at": TRIP_START + HOUR,
        "ended_at": TRIP_START + HOUR + 1_800,
        "odometer_start_m": 125_000,
        "odometer_end_m": 150_000,
        "distance_m": 25_000,
    }
    values.update(fields)
    return car.signer.report_trip(**values)  # type: ignore[arg-type]


@dataclasses.dataclass
class Garage:
    """The cars of the corpus, all enrolled two days before genesis."""

    car: EnrolledVehicle
    fresh: EnrolledVehicle
    unconsented: EnrolledVehicle


@pytest.fixture
def garage(database: Database, clock: ManualClock, enroll: Enroll) -> Garage:
    """A consenting car that reported one honest trip (seq 1, 08:00-08:30, 100 to 125 km), a
    consenting car that reported nothing, and a car whose owner gave no mileage consent."""
    car = enroll()
    garage = Garage(car, enroll(), enroll(scopes=("driving_behavior",)))
    clock.set(NOW)
    first = trip(
        car,
        started_at=TRIP_START,
        ended_at=TRIP_START + 1_800,
        odometer_start_m=100_000,
        odometer_end_m=125_000,
    )
    assert ingest(database, clock, [first])[0].accepted
    return garage


def resign(signer: VehicleSigner, envelope: bytes, **changes: object) -> bytes:
    """The envelope's report with `changes`, signed again by `signer`."""
    report = decode_envelope(envelope).report._replace(**changes)  # type: ignore[arg-type]
    return signer.sign(report)


Case = Callable[[Database, ManualClock, Garage], bytes]


def truncated(db: Database, clock: ManualClock, garage: Garage) -> bytes:
    return trip(garage.car)[:-1]


def version_two(db: Database, clock: ManualClock, garage: Garage) -> bytes:
    return bytes([REPORT_VERSION + 1]) + trip(garage.car)[1:]


def huge_sequence(db: Database, clock: ManualClock, garage: Garage) -> bytes:
    report = decode_envelope(trip(garage.car)).report
    fields = list(BODY_LAYOUT.unpack(encode_report(report)))
    fields[3] = 2**64 - 1  # the sequence: fits the layout, not a BIGINT
    body = BODY_LAYOUT.pack(*fields)
    return body + garage.car.signer.signing_key.sign(SIGNING_CONTEXT + body).signature


def stranger_key(db: Database, clock: ManualClock, garage: Garage) -> bytes:
    impostor = VehicleSigner(garage.car.vehicle_id, generate_signing_key(), last_sequence=1)
    return trip(dataclasses.replace(garage.car, signer=impostor))


def revoked(db: Database, clock: ManualClock, garage: Garage) -> bytes:
    with db.transaction() as session:
        revoke_key(session, clock, garage.car.vehicle_id, reason="extracted from a scrapped unit")
    return trip(garage.car)


def retired(db: Database, clock: ManualClock, garage: Garage) -> bytes:
    # Rotated now: the old key may still sign trips that ended by now, not this one.
    with db.transaction() as session:
        rotate_key(session, clock, garage.car.vehicle_id, bytes(generate_signing_key().verify_key))
    return trip(garage.car, started_at=NOW - 1_500, ended_at=NOW + 200)


def forged(db: Database, clock: ManualClock, garage: Garage) -> bytes:
    envelope = bytearray(trip(garage.car))
    envelope[-1] ^= 0x01
    return bytes(envelope)


def tampered(db: Database, clock: ManualClock, garage: Garage) -> bytes:
    envelope = bytearray(trip(garage.car))
    envelope[97 + 7] ^= 0x01  # one meter more on the distance, signature unchanged
    return bytes(envelope)


def replayed_sequence(
    db: Database, clock: ManualClock, garage: Garage
) -> bytes:
    return resign(garage.car.signer, trip(garage.car), sequence=1)


def duplicate_trip(db: Database, clock: ManualClock, garage: Garage) -> bytes:
    return trip(garage.car, trip_id=bytes([1]) * 16)


def end_before_start(
    db: Database, clock: ManualClock, garage: Garage
) -> bytes:
    return trip(garage.car, ended_at=TRIP_START + HOUR - 1, odometer_end_m=125_000, distance_m=0)


def before_genesis(db: Database, clock: ManualClock, garage: Garage) -> bytes:
    return trip(garage.fresh, started_at=GENESIS - HOUR, ended_at=GENESIS - 1_800)


def in_future(db: Database, clock: ManualClock, garage: Garage) -> bytes:
    skew = 300
    return trip(garage.car, started_at=NOW - 1_500, ended_at=NOW + skew + 1)


def overlapping(db: Database, clock: ManualClock, garage: Garage) -> bytes:
    # Starts 15 minutes before the first trip ended: beyond the 5-minute skew.
    return trip(garage.car, started_at=TRIP_START + 900, ended_at=TRIP_START + 2_700)


def odometer_backwards(
    db: Database, clock: ManualClock, garage: Garage
) -> bytes:
    return trip(garage.car, odometer_end_m=124_950, distance_m=0)


def odometer_overlap(
    db: Database, clock: ManualClock, garage: Garage
) -> bytes:
    return trip(garage.car, odometer_start_m=120_000, odometer_end_m=145_000)


def odometer_gap(db: Database, clock: ManualClock, garage: Garage) -> bytes:
    return trip(garage.car, odometer_start_m=140_000, odometer_end_m=165_000)


def distance_mismatch(
    db: Database, clock: ManualClock, garage: Garage
) -> bytes:
    return trip(garage.car, distance_m=30_000)


def over_speed(db: Database, clock: ManualClock, garage: Garage) -> bytes:
    # 25 km in 6 minutes: 250 km/h on average.
    return trip(garage.car, ended_at=TRIP_START + HOUR + 360)


def cap_reached(db: Database, clock: ManualClock, garage: Garage) -> bytes:
    # The minimal preset caps a vehicle at 100 km per epoch: 25 + 75 km fill it.
    clock.set(NOW + 4 * HOUR)
    filler = trip(garage.car, ended_at=TRIP_START + 2 * HOUR + 1_800, odometer_end_m=200_000,
                  distance_m=75_000)
    assert ingest(db, clock, [filler])[0].accepted
    start = TRIP_START + 3 * HOUR
    return trip(garage.car, started_at=start, ended_at=start + 1_800,
                odometer_start_m=200_000, odometer_end_m=225_000)


def epoch_closed(db: Database, clock: ManualClock, garage: Garage) -> bytes:
    # Epoch 0's cutoff is its end plus the default grace of an hour: one second past it.
    clock.set(GENESIS + DAY + HOUR + 1)
    return trip(garage.car)


def epoch_frozen(db: Database, clock: ManualClock, garage: Garage) -> bytes:
    # Settlement froze epoch 0 early (a shorter grace of its own): the cutoff has not passed.
    clock.set(GENESIS + DAY + 60)
    with db.transaction() as session:
        close_epoch(session, 0, GENESIS + DAY, clock.now())
    return trip(garage.car)


def no_consent(db: Database, clock: ManualClock, garage: Garage) -> bytes:
    return trip(garage.unconsented, odometer_start_m=0, odometer_end_m=25_000)


CORPUS: dict[str, Case] = {
    "malformed_report": truncated,
    "unsupported_version": version_two,
    "field_out_of_range": huge_sequence,
    "unknown_key": stranger_key,
    "revoked_key": revoked,
    "bad_signature": forged,
    "replayed_sequence": replayed_sequence,
    "duplicate_trip": duplicate_trip,
    "end_before_start": end_before_start,
    "trip_before_genesis": before_genesis,
    "trip_in_future": in_future,
    "overlaps_previous_trip": overlapping,
    "odometer_backwards": odometer_backwards,
    "odometer_overlap": odometer_overlap,
    "odometer_gap": odometer_gap,
    "distance_mismatch": distance_mismatch,
    "over_speed": over_speed,
    "epoch_closed": epoch_closed,
    "epoch_cap_reached": cap_reached,
    "no_mileage_consent": no_consent,
}
EXTRA_CASES: dict[str, tuple[str, Case]] = {
    "retired key signing after its rotation": ("revoked_key", retired),
    "signed bytes changed after signing": ("bad_signature", tampered),
    "epoch frozen by settlement before its cutoff": ("epoch_closed", epoch_frozen),
}


def all_cases() -> list[tuple[str, Case]]:
    return [*CORPUS.items(), *EXTRA_CASES.values()]


@pytest.mark.parametrize(
    ("code", "case"), all_cases(), ids=[*CORPUS, *EXTRA_CASES]
)
def test_each_crafted_report_is_rejected_for_its_check_and_only_it(
    database: Database, clock: ManualClock, garage: Garage, code: str, case: Case
) -> None:
    envelope = case(database, clock, garage)
    assert explain(database, clock, envelope) == [code]
    verdict = judge_alone(database, clock, envelope)
    assert (verdict.code, verdict.accepted) == (code, False)


def test_the_corpus_covers_every_rejection_code() -> None:
    from milestone.rules import reports, trips

    rule_codes = {
        cls.code
        for module in (reports, trips)
        for cls in vars(module).values()
        if isinstance(cls, type) and issubclass(cls, reports.RuleError)
        and cls.__module__ == module.__name__ and cls.code not in ("trip_rejected",)
    }
    service_codes = {"unknown_key", "revoked_key", "bad_signature"}
    assert rule_codes | service_codes == set(CORPUS)


def test_the_honest_next_report_is_accepted_in_the_same_state(
    database: Database, clock: ManualClock, garage: Garage
) -> None:
    envelope = trip(garage.car)
    assert explain(database, clock, envelope) == []
    assert judge_alone(database, clock, envelope).accepted
