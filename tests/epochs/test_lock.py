"""One settler at a time, on SQLite (a lock file) and PostgreSQL (an advisory lock)."""

from __future__ import annotations

import pytest

from milestone.clock import ManualClock
from milestone.epochs.errors import SettlementInProgress
from milestone.epochs.lock import settlement_lock
from milestone.epochs.settle import settle
from milestone.epochs.steps import Settlement
from milestone.storage import Database

from .conftest import close


def test_the_lock_is_exclusive_and_released(database: Database) -> None:
    with settlement_lock(database), pytest.raises(SettlementInProgress), settlement_lock(database):
        pass
    with settlement_lock(database):
        pass


def test_a_second_settler_exits(settlement: Settlement, clock: ManualClock) -> None:
    close(settlement, clock, 1)
    with settlement_lock(settlement.database):
        with pytest.raises(SettlementInProgress) as refused:
            settle(settlement)
        assert refused.value.code == "settlement_in_progress"
    assert [s.epoch for s in settle(settlement)] == [0]
