"""Batch intake: verify a batch of signed trip reports and store it in one transaction.

`ingest_batch` works inside the caller's transaction and never commits; `ingest` is the unit of
work around it (commit, or roll back everything). Whatever the items are, each gets a verdict:
a malformed item is a rejected report, never an exception that loses the rest of the batch.
The same envelope sent again gets its original verdict back and writes nothing.

Speed comes from doing per batch what could be done per report: the batch's vehicles are locked
in one statement (so two workers never judge the same vehicle at once), everything the checks
need is read in a handful of queries, and the writes go out as a few multi-row inserts.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from typing import Any, Final, TypeVar

from sqlalchemy import func, insert, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from milestone.clock import Clock
from milestone.consent.service import load_consent_periods
from milestone.program.service import Program, load_program
from milestone.registry.models import Ownership, Vehicle, VehicleKey
from milestone.rules.trips import Ownership as OwnershipPeriod
from milestone.rules.trips import VehicleCursor
from milestone.storage import Database
from milestone.telemetry.models import Trip, TripBehaviour, TripRejection, TripRound
from milestone.telemetry.models import VehicleCursor as CursorRow
from milestone.telemetry.verify import (
    ACCEPTED,
    AcceptedTrip,
    BatchOutcome,
    Decoded,
    IntakeSnapshot,
    KeyRecord,
    Verdict,
    decode_batch,
    explain_batch,
    judge_batch,
)

CHUNK: Final[int] = 2_000
"""Keys per IN list: well under SQLite's limit of bound parameters per statement."""

T = TypeVar("T")


def ingest(database: Database, clock: Clock, items: Sequence[object]) -> list[Verdict]:
    """Judge and store a batch in one transaction of its own; a verdict per item, in order."""
    return database.run(lambda session: ingest_batch(session, clock, items))


def ingest_batch(
    session: Session, clock: Clock, items: Sequence[object], program: Program | None = None
) -> list[Verdict]:
    """Judge and store a batch inside the caller's transaction (no commit)."""
    program = program or load_program(session)
    decoded = decode_batch(items)
    snapshot = load_snapshot(session, decoded, program)
    outcome = judge_batch(decoded, snapshot, program.parameters, clock.now())
    write_outcome(session, outcome, clock.now())
    return outcome.verdicts


def explain_reports(
    session: Session, clock: Clock, items: Sequence[object], program: Program | None = None
) -> list[list[str]]:
    """Every check each item fails against the current state, without judging or writing it.

    For the operator and for appeals: a rejection names the first failing check, this names
    them all. Each item is explained on its own, as if it were the next report.
    """
    program = program or load_program(session)
    decoded = decode_batch(items)
    snapshot = load_snapshot(session, decoded, program, lock=False)
    return explain_batch(decoded, snapshot, program.parameters, clock.now())


def chunks(values: Iterable[T]) -> Iterator[list[T]]:
    """The values in sorted lists of at most CHUNK."""
    ordered = sorted(set(values))  # type: ignore[type-var]
    for start in range(0, len(ordered), CHUNK):
        yield ordered[start : start + CHUNK]


def load_snapshot(
    session: Session, decoded: Sequence[Decoded], program: Program, *, lock: bool = True
) -> IntakeSnapshot:
    """Lock the batch's vehicles and read what the checks need about them."""
    snapshot = IntakeSnapshot(genesis=program.genesis)
    hashes = [item.report_hash for item in decoded if item.report_hash is not None]
    reports = [item.signed.report for item in decoded if item.signed is not None]
    vehicle_ids = {report.vehicle_id for report in reports}
    for part in chunks(vehicle_ids if lock else ()):
        # Row locks in id order: two workers sharing vehicles wait, they never deadlock.
        session.execute(
            select(Vehicle.id).where(Vehicle.id.in_(part)).order_by(Vehicle.id).with_for_update()
        )
    for hash_part in chunks(hashes):
        trips = select(Trip.report_hash, Trip.vehicle_id, Trip.sequence, Trip.report_trip_id)
        for digest, vehicle_id, sequence, trip_id in session.execute(
            trips.where(Trip.report_hash.in_(hash_part))
        ):
            snapshot.known_verdicts[bytes(digest)] = Verdict(
                -1, ACCEPTED, "", bytes(digest), vehicle_id, sequence, bytes(trip_id)
            )
        rejected = select(
            TripRejection.report_hash,
            TripRejection.code,
            TripRejection.detail,
            TripRejection.vehicle_id,
            TripRejection.sequence,
            TripRejection.report_trip_id,
        ).where(TripRejection.report_hash.in_(hash_part))
        for row in session.execute(rejected):
            snapshot.known_verdicts[bytes(row[0])] = Verdict(
                -1, row[1], row[2], bytes(row[0]), row[3], row[4],
                bytes(row[5]) if row[5] is not None else None,
            )
    if not vehicle_ids:
        return snapshot
    trip_ids = {report.trip_id for report in reports}
    first_epoch = max(min(r.started_at for r in reports) - program.genesis, 0)
    first_epoch //= program.parameters.epoch_seconds
    for part in chunks(vehicle_ids):
        keys = select(
            VehicleKey.vehicle_id, VehicleKey.public_key, VehicleKey.retired_at,
            VehicleKey.revoked_at,
        ).where(VehicleKey.vehicle_id.in_(part))
        for vehicle_id, public_key, retired_at, revoked_at in session.execute(keys):
            key = KeyRecord(vehicle_id, bytes(public_key), retired_at, revoked_at)
            snapshot.keys[(vehicle_id, key.public_key)] = key
        cursors = select(CursorRow).where(CursorRow.vehicle_id.in_(part))
        for cursor in session.execute(cursors).scalars():
            snapshot.cursors[cursor.vehicle_id] = VehicleCursor(
                cursor.sequence, cursor.ended_at, cursor.odometer_end_m
            )
        used = select(Trip.vehicle_id, Trip.report_trip_id).where(Trip.vehicle_id.in_(part))
        for trip_part in chunks(trip_ids):
            query = used.where(Trip.report_trip_id.in_(trip_part))
            for vehicle_id, trip_id in session.execute(query):
                snapshot.trip_ids.add((vehicle_id, bytes(trip_id)))
        meters = (
            select(TripRound.vehicle_id, TripRound.epoch, func.sum(TripRound.meters))
            .where(TripRound.vehicle_id.in_(part), TripRound.epoch >= first_epoch)
            .group_by(TripRound.vehicle_id, TripRound.epoch)
        )
        for vehicle_id, epoch, total in session.execute(meters):
            snapshot.epoch_meters.setdefault(vehicle_id, {})[epoch] = int(total)
        bindings = select(
            Ownership.vehicle_id, Ownership.owner_id, Ownership.started_at, Ownership.ended_at
        ).where(Ownership.vehicle_id.in_(part))
        for vehicle_id, owner_id, started_at, ended_at in session.execute(bindings):
            period = OwnershipPeriod(owner_id, started_at, ended_at)
            snapshot.ownerships.setdefault(vehicle_id, []).append(period)
    pairs = [
        (binding.owner_id, vehicle_id)
        for vehicle_id, bindings_of in snapshot.ownerships.items()
        for binding in bindings_of
    ]
    snapshot.consent.update(load_consent_periods(session, pairs))
    return snapshot


def write_outcome(session: Session, outcome: BatchOutcome, received_at: int) -> None:
    """Write the batch's trips, rounds, behaviour summaries, rejections and cursors."""
    if outcome.accepted:
        write_trips(session, outcome.accepted, received_at)
    if outcome.rejections:
        rows = [
            {
                "report_hash": rejection.verdict.report_hash,
                "received_at": received_at,
                "code": rejection.verdict.code,
                "detail": rejection.verdict.detail[:300],
                "vehicle_id": rejection.verdict.vehicle_id,
                "owner_id": rejection.owner_id,
                "sequence": rejection.verdict.sequence,
                "report_trip_id": rejection.verdict.trip_id,
                "envelope": rejection.envelope,
            }
            for rejection in outcome.rejections
        ]
        # A concurrent batch may have judged the same bytes first: its verdict stands.
        statement = dialect_insert(session, TripRejection).on_conflict_do_nothing(
            index_elements=["report_hash"]
        )
        session.execute(statement, rows)
    if outcome.cursors:
        cursor_rows = [
            {
                "vehicle_id": vehicle_id,
                "sequence": cursor.sequence,
                "ended_at": cursor.ended_at,
                "odometer_end_m": cursor.odometer_end_m,
            }
            for vehicle_id, cursor in sorted(outcome.cursors.items())
        ]
        upsert = dialect_insert(session, CursorRow)
        upsert = upsert.on_conflict_do_update(
            index_elements=["vehicle_id"],
            set_={
                "sequence": upsert.excluded.sequence,
                "ended_at": upsert.excluded.ended_at,
                "odometer_end_m": upsert.excluded.odometer_end_m,
            },
        )
        session.execute(upsert, cursor_rows)


def write_trips(session: Session, accepted: Sequence[AcceptedTrip], received_at: int) -> None:
    """Insert the accepted trips, then their round shares and behaviour summaries."""
    rows = [trip_row(trip, received_at) for trip in accepted]
    inserted = session.execute(insert(Trip).returning(Trip.id, sort_by_parameter_order=True), rows)
    ids = list(inserted.scalars())
    rounds: list[dict[str, Any]] = []
    behaviours: list[dict[str, Any]] = []
    for trip_pk, trip in zip(ids, accepted, strict=True):
        report = trip.signed.report
        rounds.extend(
            {
                "trip_id": trip_pk,
                "epoch": share.epoch,
                "round": share.round,
                "vehicle_id": report.vehicle_id,
                "owner_id": trip.owner_id,
                "meters": share.meters,
                "behaviour_bps": trip.behaviour_bps,
            }
            for share in trip.shares
        )
        if trip.keep_behaviour and report.behaviour is not None:
            behaviours.append(
                {
                    "trip_id": trip_pk,
                    "harsh_brakes": report.behaviour.harsh_brakes,
                    "harsh_accelerations": report.behaviour.harsh_accelerations,
                    "speeding_seconds": report.behaviour.speeding_seconds,
                }
            )
    if rounds:
        session.execute(insert(TripRound), rounds)
    if behaviours:
        session.execute(insert(TripBehaviour), behaviours)


def trip_row(trip: AcceptedTrip, received_at: int) -> dict[str, Any]:
    report = trip.signed.report
    raw = trip.keep_raw
    return {
        "report_hash": trip.verdict.report_hash,
        "vehicle_id": report.vehicle_id,
        "owner_id": trip.owner_id,
        "sequence": report.sequence,
        "report_trip_id": report.trip_id,
        "distance_m": report.distance_m,
        "counted_m": sum(share.meters for share in trip.shares),
        "received_at": received_at,
        "started_at": report.started_at if raw else None,
        "ended_at": report.ended_at if raw else None,
        "odometer_start_m": report.odometer_start_m if raw else None,
        "odometer_end_m": report.odometer_end_m if raw else None,
        "firmware": report.firmware if raw else None,
        "envelope": trip.envelope if trip.keep_envelope else None,
        "raw_erased_at": None if raw else received_at,
    }


def dialect_insert(session: Session, model: Any) -> Any:
    """An INSERT with the dialect's ON CONFLICT clauses (SQLite and PostgreSQL share them)."""
    if session.get_bind().dialect.name == "postgresql":
        return postgresql.insert(model)
    return sqlite.insert(model)
