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
from typing import Any, Final, TypeVar, cast

from sqlalchemy import Table, func, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from milestone.clock import Clock
from milestone.consent.service import load_consent_periods
from milestone.program.service import Program, load_program
from milestone.registry.models import Ownership, Vehicle, VehicleKey
from milestone.rules.trips import Ownership as OwnershipPeriod
from milestone.rules.trips import VehicleCursor
from milestone.settings import DEFAULT_SETTLE_GRACE_SECONDS
from milestone.storage import Base, Database
from milestone.storage.bulk import insert_rows, is_postgresql, select_where_in
from milestone.telemetry.closure import hold_intake_open, intake_first_open_epoch
from milestone.telemetry.events import emit_rejections
from milestone.telemetry.models import Trip, TripRejection, TripRound
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

MAX_TRIP_EPOCHS: Final[int] = 31
"""How many epochs of a trip the cap reads. A vehicle's earlier trips ended before this one
started (the time check), so only a trip's first epoch can already hold counted meters; the
bound keeps a forged trip spanning years from listing thousands of epochs."""
CHUNK: Final[int] = 2_000
"""Keys per IN list: well under SQLite's limit of bound parameters per statement."""

T = TypeVar("T")


def ingest(
    database: Database,
    clock: Clock,
    items: Sequence[object],
    *,
    grace_seconds: int = DEFAULT_SETTLE_GRACE_SECONDS,
) -> list[Verdict]:
    """Judge and store a batch in one transaction of its own; a verdict per item, in order.

    `grace_seconds` is settlement's (`Settings.settle_grace_seconds`): a trip whose epochs are
    all past their cutoff is refused `epoch_closed`, as settlement would never count it.
    """
    return database.run(
        lambda session: ingest_batch(session, clock, items, grace_seconds=grace_seconds)
    )


def ingest_batch(
    session: Session,
    clock: Clock,
    items: Sequence[object],
    program: Program | None = None,
    *,
    grace_seconds: int = DEFAULT_SETTLE_GRACE_SECONDS,
) -> list[Verdict]:
    """Judge and store a batch inside the caller's transaction (no commit)."""
    hold_intake_open(session)
    program = program or load_program(session)
    now = clock.now()
    decoded = decode_batch(items)
    snapshot = load_snapshot(session, decoded, program)
    snapshot.first_open_epoch = intake_first_open_epoch(session, program, now, grace_seconds)
    outcome = judge_batch(decoded, snapshot, program.parameters, now)
    write_outcome(session, outcome, now, program)
    emit_rejections(session, outcome.rejections, now)
    return outcome.verdicts


def explain_reports(
    session: Session,
    clock: Clock,
    items: Sequence[object],
    program: Program | None = None,
    *,
    grace_seconds: int = DEFAULT_SETTLE_GRACE_SECONDS,
) -> list[list[str]]:
    """Every check each item fails against the current state, without judging or writing it.

    For the operator and for appeals: a rejection names the first failing check, this names
    them all. Each item is explained on its own, as if it were the next report.
    """
    program = program or load_program(session)
    now = clock.now()
    decoded = decode_batch(items)
    snapshot = load_snapshot(session, decoded, program, lock=False)
    snapshot.first_open_epoch = intake_first_open_epoch(session, program, now, grace_seconds)
    return explain_batch(decoded, snapshot, program.parameters, now)


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
    signed = [item for item in decoded if item.signed is not None]
    vehicle_ids = sorted({item.signed.report.vehicle_id for item in signed if item.signed})
    # Row locks in id order: two workers sharing vehicles wait, they never deadlock. SQLite
    # has no row locks (SQLAlchemy drops FOR UPDATE there): its one writer at a time holds the
    # write lock from BEGIN IMMEDIATE, so the statement would only cost a query.
    for part in chunks(vehicle_ids if lock and is_postgresql(session) else ()):
        session.execute(
            select(Vehicle.id).where(Vehicle.id.in_(part)).order_by(Vehicle.id).with_for_update()
        )
    for vehicle_id, sequence, ended_at, odometer_end_m in select_where_in(
        session, table_of(CursorRow), ("vehicle_id", "sequence", "ended_at", "odometer_end_m"),
        "vehicle_id", vehicle_ids,
    ):
        snapshot.cursors[vehicle_id] = VehicleCursor(sequence, ended_at, odometer_end_m)
    load_known_verdicts(session, decoded, snapshot, recent_epochs_from(signed, program))
    if not vehicle_ids:
        return snapshot
    for vehicle_id, public_key, retired_at, revoked_at in select_where_in(
        session, table_of(VehicleKey), ("vehicle_id", "public_key", "retired_at", "revoked_at"),
        "vehicle_id", vehicle_ids,
    ):
        key = KeyRecord(vehicle_id, bytes(public_key), retired_at, revoked_at)
        snapshot.keys[(vehicle_id, key.public_key)] = key
    for vehicle_id, owner_id, started_at, ended_at in select_where_in(
        session, table_of(Ownership), ("vehicle_id", "owner_id", "started_at", "ended_at"),
        "vehicle_id", vehicle_ids,
    ):
        period = OwnershipPeriod(owner_id, started_at, ended_at)
        snapshot.ownerships.setdefault(vehicle_id, []).append(period)
    # Trip ids are 16 random bytes: looked up by id alone (the index leads with it), then kept
    # only for the vehicles of the batch.
    wanted = set(vehicle_ids)
    trip_ids = sorted({item.signed.report.trip_id for item in signed if item.signed})
    for vehicle_id, trip_id in select_where_in(
        session, table_of(Trip), ("vehicle_id", "report_trip_id"), "report_trip_id", trip_ids,
        at_least=("epoch", recent_epochs_from(signed, program)),
    ):
        if vehicle_id in wanted:
            snapshot.trip_ids.add((vehicle_id, bytes(trip_id)))
    epochs = touched_epochs(signed, program)
    for part in chunks(vehicle_ids):
        meters = (
            select(TripRound.vehicle_id, TripRound.epoch, func.sum(TripRound.meters))
            .where(TripRound.epoch.in_(epochs), TripRound.vehicle_id.in_(part))
            .group_by(TripRound.vehicle_id, TripRound.epoch)
        )
        for vehicle_id, epoch, total in session.execute(meters):
            snapshot.epoch_meters.setdefault(vehicle_id, {})[epoch] = int(total)
    pairs = [
        (binding.owner_id, vehicle_id)
        for vehicle_id, bindings_of in snapshot.ownerships.items()
        for binding in bindings_of
    ]
    snapshot.consent.update(load_consent_periods(session, pairs))
    return snapshot


def touched_epochs(signed: Sequence[Decoded], program: Program) -> list[int]:
    """The epochs the batch's trips span (a trip with impossible instants spans none)."""
    genesis, length = program.genesis, program.parameters.epoch_seconds
    epochs: set[int] = set()
    for item in signed:
        assert item.signed is not None
        report = item.signed.report
        if genesis <= report.started_at <= report.ended_at:
            first = (report.started_at - genesis) // length
            last = (report.ended_at - genesis) // length
            epochs.update(range(first, min(last, first + MAX_TRIP_EPOCHS) + 1))
    return sorted(epochs)


def recent_epochs_from(signed: Sequence[Decoded], program: Program) -> int:
    """The first epoch whose trips the batch's lookups of trips read: the day before the
    earliest trip of the batch starts.

    Trips are partitioned by epoch; bounding the lookups keeps PostgreSQL from probing a
    month of partitions for every batch. An accepted trip sent again lies in the epoch of its
    own last second, within the bound. A trip id is found again only if its first use ended
    after the bound: an older trip sent again with a new sequence number cannot continue the
    car's chain of instants anyway (`overlaps_previous_trip`), and past the dispute window its
    row is gone in any case (storage.md, "Retention").
    """
    genesis, length = program.genesis, program.parameters.epoch_seconds
    starts = [
        item.signed.report.started_at
        for item in signed
        if item.signed is not None and item.signed.report.started_at >= genesis
    ]
    return max(0, (min(starts) - genesis) // length - 1) if starts else 0


def load_known_verdicts(
    session: Session, decoded: Sequence[Decoded], snapshot: IntakeSnapshot, since_epoch: int = 0
) -> None:
    """The verdicts already given to envelopes of the batch.

    An accepted trip moved its vehicle's cursor to its sequence, so only a report at or below
    the cursor can be an accepted one sent again; any envelope may be a rejected one.
    """
    hashes = [item.report_hash for item in decoded if item.report_hash is not None]
    maybe_accepted = [
        item.report_hash
        for item in decoded
        if item.signed is not None
        and item.report_hash is not None
        and (cursor := snapshot.cursors.get(item.signed.report.vehicle_id)) is not None
        and item.signed.report.sequence <= cursor.sequence
    ]
    for digest, vehicle_id, sequence, trip_id in select_where_in(
        session, table_of(Trip), ("report_hash", "vehicle_id", "sequence", "report_trip_id"),
        "report_hash", maybe_accepted, at_least=("epoch", since_epoch),
    ):
        snapshot.known_verdicts[bytes(digest)] = Verdict(
            -1, ACCEPTED, "", bytes(digest), vehicle_id, sequence, bytes(trip_id)
        )
    columns = ("report_hash", "code", "detail", "vehicle_id", "sequence", "report_trip_id")
    for digest, code, detail, vehicle_id, sequence, trip_id in select_where_in(
        session, table_of(TripRejection), columns, "report_hash", hashes
    ):
        snapshot.known_verdicts[bytes(digest)] = Verdict(
            -1, code, detail, bytes(digest), vehicle_id, sequence,
            bytes(trip_id) if trip_id is not None else None,
        )


def write_outcome(
    session: Session, outcome: BatchOutcome, received_at: int, program: Program
) -> None:
    """Write the batch's trips, rounds, behaviour summaries, rejections and cursors."""
    if outcome.accepted:
        write_trips(session, outcome.accepted, received_at, program)
    if outcome.rejections:
        judged_in = judging_epoch(received_at, program)
        rows = [
            {
                "report_hash": rejection.verdict.report_hash,
                "received_at": received_at,
                "epoch": judged_in,
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


TRIP_COLUMNS: Final = (
    "vehicle_id", "sequence", "epoch", "report_hash", "owner_id", "report_trip_id", "distance_m",
    "counted_m", "received_at", "started_at", "ended_at", "odometer_start_m", "odometer_end_m",
    "firmware", "envelope", "raw_erased_at", "harsh_brakes", "harsh_accelerations",
    "speeding_seconds",
)
ROUND_COLUMNS: Final = (
    "epoch", "vehicle_id", "round", "sequence", "owner_id", "meters", "behaviour_bps",
)
NO_BEHAVIOUR: Final = (None, None, None)


def write_trips(
    session: Session, accepted: Sequence[AcceptedTrip], received_at: int, program: Program
) -> None:
    """Insert the accepted trips (behaviour summaries included), then their round shares."""
    trips: list[tuple[Any, ...]] = []
    rounds: list[tuple[Any, ...]] = []
    for trip in accepted:
        report = trip.signed.report
        vehicle_id, sequence = report.vehicle_id, report.sequence
        raw = trip.keep_raw
        trips.append((
            vehicle_id, sequence, trip_epoch(report.started_at, report.ended_at, program),
            trip.verdict.report_hash, trip.owner_id, report.trip_id,
            report.distance_m, sum(share.meters for share in trip.shares), received_at,
            report.started_at if raw else None,
            report.ended_at if raw else None,
            report.odometer_start_m if raw else None,
            report.odometer_end_m if raw else None,
            report.firmware if raw else None,
            trip.envelope if trip.keep_envelope else None,
            None if raw else received_at,
            *(report.behaviour if trip.keep_behaviour and report.behaviour else NO_BEHAVIOUR),
        ))
        rounds.extend(
            (share.epoch, vehicle_id, share.round, sequence, trip.owner_id, share.meters,
             trip.behaviour_bps)
            for share in trip.shares
        )
    insert_rows(session, table_of(Trip), TRIP_COLUMNS, trips)
    insert_rows(session, table_of(TripRound), ROUND_COLUMNS, rounds)


def trip_epoch(started_at: int, ended_at: int, program: Program) -> int:
    """The epoch of a trip's last second, as the intake's epoch check reads it
    (`milestone.rules.trips.check_epoch_open`): no meter of the trip counts after it."""
    last_second = max(started_at, ended_at - 1)
    return (last_second - program.genesis) // program.parameters.epoch_seconds


def judging_epoch(received_at: int, program: Program) -> int:
    """The epoch a report was judged in; 0 before genesis."""
    return max(0, (received_at - program.genesis) // program.parameters.epoch_seconds)


def table_of(model: type[Base]) -> Table:
    """The Core table of a mapped class."""
    return cast(Table, model.__table__)


def dialect_insert(session: Session, model: Any) -> Any:
    """An INSERT with the dialect's ON CONFLICT clauses (SQLite and PostgreSQL share them)."""
    if session.get_bind().dialect.name == "postgresql":
        return postgresql.insert(model)
    return sqlite.insert(model)
