"""Each finalization tells the stones whose spend lock ran out since the previous one."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path

import pytest

from milestone.clock import ManualClock
from milestone.epochs.settle import settle
from milestone.epochs.steps import Settlement
from milestone.events import events_after, owner_address
from milestone.program.service import Program, create_program
from milestone.rules.params import get_preset, override_parameters
from milestone.storage import Database
from milestone.store.unlocks import certify

from .conftest import GENESIS, close

STONE = 10**8


@pytest.fixture
def database_url(sqlite_template: Path, tmp_path: Path) -> str:
    """The sweep's queries are tested on both databases in tests/store; the chain is slow."""
    path = tmp_path / "milestone.db"
    shutil.copyfile(sqlite_template, path)
    return f"sqlite:///{path}"


@pytest.fixture
def program(database: Database, clock: ManualClock) -> Program:
    """The minimal preset with a one-day spend lock, so locks run out within two epochs."""
    parameters = override_parameters(get_preset("minimal"), {"spend_lock_days": 1})
    with database.transaction() as session:
        return create_program(session, clock, parameters, genesis=GENESIS)


def test_finalization_tells_each_unlock_once_in_the_epochs_transaction(
    settlement: Settlement, database: Database, clock: ManualClock,
    make_owner: Callable[[], int], credit: Callable[[int, int], None],
) -> None:
    owner = make_owner()
    database.run(lambda s: certify(s, clock, owner))
    credit(owner, 3 * STONE)  # at genesis: unlocks a day later, before epoch 0 finalizes
    close(settlement, clock, 1)
    settle(settlement)
    credit(owner, 4 * STONE)  # unlocks a day later, when epoch 1 finalizes
    close(settlement, clock, 2)
    settle(settlement)
    with database.session() as session:
        address = owner_address(session, owner)
        events = [(e.type, e.data) for e in events_after(session, 0)]
    finalized = [i for i, (kind, _) in enumerate(events) if kind == "epoch.finalized"]
    unlocked = [i for i, (kind, _) in enumerate(events) if kind == "stones.unlocked"]
    assert len(finalized) == 2 and len(unlocked) == 2
    assert finalized[0] < unlocked[0] < finalized[1] < unlocked[1]
    assert [events[i][1] for i in unlocked] == [
        {"owner": address, "amount": str(3 * STONE), "cause": "lock_elapsed"},
        {"owner": address, "amount": str(4 * STONE), "cause": "lock_elapsed"},
    ]
