"""The freeze step's refusals: an epoch not closed, a gap, a chain that moved elsewhere; and an
epoch without driving, which settles."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from milestone.audit.run import run_audit
from milestone.chain.backends import ChainConnection
from milestone.clock import ManualClock
from milestone.epochs.errors import ChainDisagrees, EpochGap, EpochNotClosed
from milestone.epochs.models import EpochRecord
from milestone.epochs.settle import settle, settle_epoch
from milestone.epochs.steps import Settlement
from milestone.storage import Database, migrate

from .conftest import DAY, close, make_settlement, start_program

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
