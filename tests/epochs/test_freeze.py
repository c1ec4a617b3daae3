"""The freeze step's refusals: an epoch not closed, a gap, a chain that moved elsewhere; and an
epoch without driving, which settles."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from pathlib import Path

import pytest
from sqlalchemy import func, select

from milestone.audit.run import run_audit
from milestone.chain.backends import ChainConnection
from milestone.clock import ManualClock
from milestone.epochs.errors import ChainDisagrees, EpochGap, EpochNotClosed, GraceMismatch
from milestone.epochs.models import EpochRecord, EpochWeightRecord
from milestone.epochs.settle import settle, settle_epoch
from milestone.epochs.steps import Settlement
from milestone.storage import Database, migrate
from milestone.telemetry.intake import ingest
from milestone.telemetry.models import Trip, TripRound

from .conftest import DAY, GENESIS, MakeFleet, close, make_settlement, start_program

State = Callable[[], dict[str, list[tuple[object, ...]]]]


def test_an_epoch_not_yet_closed_is_refused(
    settlement: Settlement, clock: ManualClock, snapshot: State
) -> None:
    clock.set(settlement.program.genesis + DAY + settlement.grace_seconds - 1)
    before = snapshot()
    with pytest.raises(EpochNotClosed):
        settle(settlement, through_epoch=0)
    with pytest.raises(EpochNotClosed) as refused:
        settle_epoch(settlement, 0)
    assert refused.value.code == "epoch_not_closed"
    assert snapshot() == before
    assert settle(settlement) == []  # nothing closed yet: nothing to do


def test_a_gap_is_refused(
    settlement: Settlement, clock: ManualClock, snapshot: State
) -> None:
    close(settlement, clock, 3)
    before = snapshot()
    with pytest.raises(EpochGap) as refused:
        settle_epoch(settlement, 1)
    assert refused.value.code == "epoch_gap"
    assert snapshot() == before


def test_an_epoch_without_driving_settles_and_rolls_its_budget_over(
    settlement: Settlement, clock: ManualClock
) -> None:
    close(settlement, clock, 2)
    settled = settle(settlement)
    params = settlement.program.parameters
    assert [s.paid for s in settled] == [0, 0]
    assert settled[1].rollover_out == 2 * params.mining.initial_per_epoch
    assert settled[0].weights_root == bytes(32)
    contract = bytes.fromhex(settlement.anchor.address[2:])
    assert run_audit(settlement.epochs_dir, settlement.anchor.program, contract).ok


def test_a_chain_ahead_of_the_database_is_refused(
    settlement: Settlement,
    clock: ManualClock,
    data_dir: Path,
    tmp_path: Path,
    chain: ChainConnection,
) -> None:
    close(settlement, clock, 1)
    settle(settlement)
    other = Database.from_url(f"sqlite:///{tmp_path / 'other.db'}")
    migrate(other.engine)
    stranger = make_settlement(other, clock, start_program(other, clock), data_dir, chain)
    with pytest.raises(ChainDisagrees) as refused:
        settle(stranger)
    assert refused.value.code == "chain_disagrees"
    with other.session() as session:
        assert session.query(EpochRecord).count() == 0
    other.dispose()


def weights_by_owner(database: Database, epoch: int) -> dict[int, int]:
    with database.session() as session:
        rows = session.execute(
            select(EpochWeightRecord.owner_id, func.sum(EpochWeightRecord.weight))
            .where(EpochWeightRecord.epoch == epoch)
            .group_by(EpochWeightRecord.owner_id)
        )
        return {owner_id: int(weight) for owner_id, weight in rows}


def test_a_trip_received_at_the_cutoff_counts_and_one_just_after_is_refused(
    settlement: Settlement, clock: ManualClock, database: Database, make_fleet: MakeFleet
) -> None:
    fleet = make_fleet(2)
    on_time, late = (car.drive(GENESIS + DAY - 1_800, 1_200, 10_000) for car in fleet.cars)
    cutoff = GENESIS + DAY + settlement.grace_seconds
    clock.set(cutoff)
    assert ingest(database, clock, [on_time.envelope])[0].accepted
    clock.set(cutoff + 1)
    refused = ingest(database, clock, [late.envelope])[0]
    assert refused.code == "epoch_closed"
    settle(settlement, 0)
    assert set(weights_by_owner(database, 0)) == {fleet.owners[0]}


def test_a_settler_with_a_shorter_grace_than_the_intake_stops_rather_than_lose_a_trip(
    settlement: Settlement, clock: ManualClock, database: Database, make_fleet: MakeFleet
) -> None:
    fleet = make_fleet(2)
    trip = fleet.cars[0].drive(GENESIS + DAY - 1_200, 600, 5_000)  # 23:40 to 23:50
    clock.set(GENESIS + DAY + 1_200)  # uploaded at 00:20, within the intake's hour
    assert ingest(database, clock, [trip.envelope], grace_seconds=3_600)[0].accepted
    with pytest.raises(GraceMismatch):
        settle(dataclasses.replace(settlement, grace_seconds=600), 0)
    later = fleet.cars[1].drive(GENESIS + DAY - 600, 300, 2_000)
    assert ingest(database, clock, [later.envelope])[0].code == "epoch_closed"  # closed anyway
    clock.set(GENESIS + DAY + 3_600)
    settle(dataclasses.replace(settlement, grace_seconds=3_600), 0)  # the intake's grace
    assert set(weights_by_owner(database, 0)) == {fleet.owners[0]}


def test_an_epoch_settled_early_takes_no_more_trips_whatever_the_clock(
    settlement: Settlement, clock: ManualClock, database: Database, make_fleet: MakeFleet
) -> None:
    fleet = make_fleet(2)
    in_epoch = fleet.cars[0].drive(GENESIS + DAY - 1_800, 1_200, 10_000)
    across = fleet.cars[1].drive(GENESIS + DAY - 600, 1_200, 10_000)
    # The operator settles with no grace at all; the intake still allows its hour.
    clock.set(GENESIS + DAY + 900)
    settle(dataclasses.replace(settlement, grace_seconds=0), 0)
    verdicts = ingest(database, clock, [in_epoch.envelope, across.envelope])
    assert [verdict.code for verdict in verdicts] == ["epoch_closed", "accepted"]
    with database.session() as session:
        rounds = session.execute(select(TripRound.epoch, TripRound.meters)).all()
        counted = session.execute(select(Trip.counted_m)).scalar_one()
    # Only the part driven after midnight can count, and only it is stored.
    assert {epoch for epoch, _ in rounds} == {1}
    assert counted == sum(meters for _, meters in rounds) < across.distance_m
    close(settlement, clock, 2)
    settle(settlement, 1)
    assert set(weights_by_owner(database, 1)) == {fleet.owners[1]}
