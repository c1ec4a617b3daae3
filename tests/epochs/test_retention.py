"""Retention: past the dispute window, a finalized epoch's per-trip rows go and nothing the
audit, the proofs or the owner's history needs goes with them."""

from __future__ import annotations

import contextlib

import pytest
from sqlalchemy import func, select

from milestone.audit.run import run_audit
from milestone.clock import ManualClock
from milestone.epochs.errors import OwnerNotInEpoch
from milestone.epochs.models import (
    EpochDropRecord,
    EpochRecord,
    EpochRewardRecord,
    EpochWeightRecord,
    OwnerBalanceRecord,
)
from milestone.epochs.proofs import prove_owner, verify_owner_proof
from milestone.epochs.retention import (
    PARTITIONED,
    PARTITIONS_AHEAD,
    ensure_partitions,
    epochs_due,
    prune,
    prune_epochs,
)
from milestone.epochs.settle import settle
from milestone.epochs.steps import Settlement
from milestone.settings import Settings
from milestone.storage import Database
from milestone.storage.base import Base
from milestone.storage.partitions import existing_partitions
from milestone.telemetry.intake import ingest
from milestone.telemetry.models import PrunedEpoch, Trip, TripRejection, TripRound
from milestone.telemetry.queries import find_orphans, intake_totals

from .conftest import DAY, Fleet, MakeFleet, close

WINDOW = 5 * DAY
EPOCHS = 3


def count(database: Database, model: type[Base], epoch: int | None = None) -> int:
    query = select(func.count()).select_from(model)
    if epoch is not None:
        query = query.where(model.epoch == epoch)  # type: ignore[attr-defined]
    with database.session() as session:
        return int(session.execute(query).scalar_one())


def drive_and_settle(settlement: Settlement, fleet: Fleet, clock: ManualClock) -> None:
    """Drive EPOCHS days, settling each day once it closes: a day apart, finalized a day apart."""
    for day in range(EPOCHS):
        fleet.drive(settlement.program.genesis + day * DAY, 1)
        close(settlement, clock, day + 1)
        settle(settlement)


def settings_of(settlement: Settlement, window: int) -> Settings:
    return Settings(data_dir=settlement.data_dir, dispute_window_seconds=window)


@pytest.fixture
def settled(settlement: Settlement, make_fleet: MakeFleet, clock: ManualClock) -> Fleet:
    settlement.dispute_window_seconds = WINDOW
    fleet = make_fleet(3, seed=5)
    drive_and_settle(settlement, fleet, clock)
    return fleet


def test_inside_the_window_nothing_is_pruned(
    settlement: Settlement, settled: Fleet, database: Database, clock: ManualClock
) -> None:
    trips = count(database, Trip)
    assert trips > 0
    report = prune(database, clock, settings_of(settlement, WINDOW))
    assert report.epochs == [] and report.rows_freed == 0
    assert count(database, Trip) == trips
    assert count(database, PrunedEpoch) == 0


def test_past_the_window_the_per_trip_rows_go_and_the_history_stays(
    settlement: Settlement, settled: Fleet, database: Database, clock: ManualClock
) -> None:
    with database.session() as session:
        totals = intake_totals(session)
        finalized = {row.epoch: row.finalized_at for row in session.query(EpochRecord)}
    kept = {
        model: count(database, model)
        for model in (EpochDropRecord, EpochRewardRecord, OwnerBalanceRecord)
    }
    weights = count(database, EpochWeightRecord)
    # The first epoch's window has passed, the others' not yet.
    clock.set(finalized[0] + WINDOW)
    with database.session() as session:
        due = epochs_due(session, clock.now(), WINDOW)
    report = prune(database, clock, settings_of(settlement, WINDOW))
    assert report.epochs == due
    assert 0 in due and EPOCHS - 1 not in due
    for epoch in due:
        for model in (Trip, TripRound, EpochWeightRecord, TripRejection):
            assert count(database, model, epoch) == 0, (model, epoch)
    assert count(database, TripRound, EPOCHS - 1) > 0, "an epoch inside the window keeps its rows"
    assert report.rows[EpochWeightRecord.__tablename__] == weights - count(
        database, EpochWeightRecord
    )
    assert report.rows_freed > 0 and report.bytes_freed > 0
    # The owner's history, the totals and the references all stand.
    assert {model: count(database, model) for model in kept} == kept
    with database.session() as session:
        assert intake_totals(session) == totals
        assert set(find_orphans(session).values()) == {0}
        proved = 0
        for owner in settled.owners:
            with contextlib.suppress(OwnerNotInEpoch):
                proof = prove_owner(session, settlement.epochs_dir, owner, 0)
                assert verify_owner_proof(proof, settlement.anchor.program)
                proved += 1
        assert proved > 0
    audit = run_audit(
        settlement.epochs_dir,
        settlement.anchor.program,
        bytes.fromhex(settlement.anchor.address[2:]),
    )
    assert audit.ok, audit.to_dict()
    # Pruning again frees nothing more.
    again = prune(database, clock, settings_of(settlement, WINDOW))
    assert again.epochs == [] and again.rows_freed == 0


def test_an_envelope_sent_again_after_pruning_is_never_accepted_twice(
    settlement: Settlement, settled: Fleet, database: Database, clock: ManualClock
) -> None:
    with database.session() as session:
        envelope = session.execute(
            select(Trip.envelope).where(Trip.epoch == 0, Trip.envelope.is_not(None)).limit(1)
        ).scalar_one()
        finalized = session.get(EpochRecord, EPOCHS - 1)
        assert finalized is not None and finalized.finalized_at is not None
    clock.set(finalized.finalized_at + WINDOW)
    assert prune(database, clock, settings_of(settlement, WINDOW)).epochs == list(range(EPOCHS))
    trips = count(database, Trip)
    verdict = ingest(database, clock, [bytes(envelope)], grace_seconds=settlement.grace_seconds)
    assert not verdict[0].accepted
    assert count(database, Trip) == trips


def test_settlement_prunes_on_its_own(
    settlement: Settlement, make_fleet: MakeFleet, clock: ManualClock, database: Database
) -> None:
    settlement.dispute_window_seconds = 0
    drive_and_settle(settlement, make_fleet(2, seed=7), clock)
    with database.session() as session:
        pruned = session.execute(select(PrunedEpoch.epoch).order_by(PrunedEpoch.epoch)).scalars()
        assert list(pruned) == list(range(EPOCHS))
    assert count(database, Trip) == 0 and count(database, EpochWeightRecord) == 0
    assert count(database, EpochDropRecord) > 0


def test_a_negative_window_is_refused() -> None:
    with pytest.raises(ValueError, match="dispute_window_seconds"):
        Settings(dispute_window_seconds=-1)


def test_partitions_are_made_ahead_and_dropped_whole(
    settlement: Settlement, settled: Fleet, database: Database, clock: ManualClock
) -> None:
    if database.dialect == "sqlite":  # plain tables: nothing to make, rows deleted
        assert ensure_partitions(database, clock, settlement.program) == []
        assert prune_epochs(database, ManualClock(clock.now() + 365 * DAY), WINDOW).epochs
        assert count(database, Trip) == 0
        return
    current = (clock.now() - settlement.program.genesis) // DAY
    with database.engine.connect() as connection:
        for table in PARTITIONED:
            have = existing_partitions(connection, table)
            assert set(range(current, current + PARTITIONS_AHEAD + 1)) <= set(have), table
            assert 0 in have, "the rows of epoch 0 left the default partition for their own"
        default_rows = connection.exec_driver_sql("SELECT count(*) FROM trip_default").scalar()
        assert default_rows == 0
    last = prune_epochs(database, ManualClock(clock.now() + 365 * DAY), WINDOW)
    assert last.epochs == list(range(EPOCHS))
    with database.engine.connect() as connection:
        for table in PARTITIONED:
            assert not set(range(EPOCHS)) & set(existing_partitions(connection, table)), table
