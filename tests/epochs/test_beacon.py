"""The beacon steps: settlement waits for every member's commit and reveal, and stops on a chain
that holds another step than ours."""

from __future__ import annotations

import shutil
import time
from pathlib import Path
from typing import Any

import pytest

from milestone.audit.run import run_audit
from milestone.chain.errors import ChainConflict
from milestone.clock import ManualClock
from milestone.epochs.errors import (
    CommitMissing,
    RevealMissing,
)
from milestone.epochs.settle import settle
from milestone.epochs.steps import Settlement, done_steps, load_epoch
from milestone.program.service import create_program
from milestone.rules.beacon import commit_of
from milestone.rules.params import get_preset
from milestone.storage import Database

from .conftest import (
    DAY,
    Fleet,
    close,
    funded_member,
    make_settlement,
    open_chain,
    start_program,
)


@pytest.fixture
def database_url(sqlite_template: Path, tmp_path: Path) -> str:
    """These steps do not depend on the database: SQLite only, the chain is the slow part."""
    path = tmp_path / "milestone.db"
    shutil.copyfile(sqlite_template, path)
    return f"sqlite:///{path}"


def test_a_missing_reveal_stops_settlement_until_it_is_made(
    settlement: Settlement, clock: ManualClock, make_fleet: Any
) -> None:
    member = funded_member(settlement, beacon=True)
    secret = bytes(31) + b"\x2a"
    settlement.anchor.commit_beacon(0, commit_of(secret), member=member)
    fleet: Fleet = make_fleet(2)
    fleet.drive(settlement.program.genesis, 1)
    close(settlement, clock, 1)
    with pytest.raises(RevealMissing) as refused:
        settle(settlement)
    assert refused.value.code == "beacon_reveal_missing"
    with settlement.database.session() as session:
        assert set(done_steps(session, 0)) == {"freeze", "commit", "post_weights"}
        assert load_epoch(session, 0).seed is None
    settlement.anchor.reveal_beacon(0, secret, member=member)
    assert [s.epoch for s in settle(settlement)] == [0]
    contract = bytes.fromhex(settlement.anchor.address[2:])
    assert run_audit(settlement.epochs_dir, settlement.anchor.program, contract).ok


def test_a_missing_commit_stops_settlement_before_the_weights_are_posted(
    settlement: Settlement, clock: ManualClock
) -> None:
    funded_member(settlement, beacon=True)
    close(settlement, clock, 1)
    with pytest.raises(CommitMissing) as refused:
        settle(settlement)
    assert refused.value.code == "beacon_commit_missing"
    assert settlement.anchor.program.weights(0) is None


def test_a_conflicting_step_on_chain_stops_settlement(
    settlement: Settlement,
    clock: ManualClock,
    data_dir: Path,
    tmp_path: Path,
    chain: Any,
    make_fleet: Any,
) -> None:
    # Another database drove the same Program's epoch 0 half-way with other weights.
    from milestone.storage import migrate

    other = Database.from_url(f"sqlite:///{tmp_path / 'other.db'}")
    migrate(other.engine)
    program = start_program(other, ManualClock(clock.now()))
    other_fleet = Fleet(other, ManualClock(clock.now()))
    other_fleet.enroll(1, seed=99)
    other_fleet.drive(settlement.program.genesis, 1)
    close(settlement, other_fleet.clock, 1)
    stranger = make_settlement(other, other_fleet.clock, program, data_dir, chain)
    stopped = {}

    def stop_after_posting(epoch: int, step: str, phase: str) -> None:
        if step == "post_weights" and phase == "done":
            stopped["at"] = step
            raise KeyboardInterrupt

    stranger.on_step = stop_after_posting
    with pytest.raises(KeyboardInterrupt):
        settle(stranger)
    other.dispose()
    fleet: Fleet = make_fleet(2, seed=3)
    fleet.drive(settlement.program.genesis, 1)
    close(settlement, clock, 1)
    with pytest.raises(ChainConflict) as refused:
        settle(settlement)
    assert refused.value.code == "chain_conflict"
    with settlement.database.session() as session:
        assert "post_weights" not in done_steps(session, 0)


def test_a_run_with_no_epoch_closed_still_commits_to_the_coming_epochs(
    database: Database, tmp_path: Path
) -> None:
    # A program whose genesis is today's midnight, on a chain that enforces epoch ends: epoch 1
    # starts tomorrow, and its commitment must be on-chain before then, long before epoch 0
    # closes and settlement has anything to settle.
    today = int(time.time()) // DAY * DAY
    clock = ManualClock(today + 60)
    with database.transaction() as session:
        program = create_program(session, clock, get_preset("minimal"), genesis=today)
    data_dir = tmp_path / "data"
    with open_chain(data_dir) as chain:
        settlement = make_settlement(database, clock, program, data_dir, chain)
        assert settlement.anchor.program.parameters().enforce_epoch_end
        assert settle(settlement) == []
        operator = settlement.anchor.operator.address
        view = settlement.anchor.program
        assert [view.beacon_commit(e, operator) is not None for e in (0, 1, 2, 3)] == [
            True,  # began before the Program was deployed: exempt from the timing rule
            True,
            True,
            False,  # three days ahead: too far for the contract
        ]
