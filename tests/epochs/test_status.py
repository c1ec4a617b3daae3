"""What settlement tells other services: finalized epochs, and dividend roots it commits."""

from __future__ import annotations

import pytest

from milestone.clock import ManualClock
from milestone.epochs.errors import DividendsRootConflict
from milestone.epochs.settle import settle
from milestone.epochs.status import (
    InvalidDividendsRoot,
    dividends_commitment,
    epoch_statuses,
    is_epoch_finalized,
    last_finalized_epoch,
    queue_dividends_root,
)
from milestone.epochs.steps import Settlement
from milestone.storage import Database

from .conftest import close

ROOT = b"\x42" * 32


def test_a_queued_root_is_committed_with_the_next_epoch(
    settlement: Settlement, clock: ManualClock
) -> None:
    database = settlement.database
    with database.session() as session:
        assert last_finalized_epoch(session) is None and not is_epoch_finalized(session, 0)
    with database.transaction() as session:
        queue_dividends_root(session, clock, "dividend:1", ROOT, 500_00)
        queue_dividends_root(session, clock, "dividend:1", ROOT, 500_00)  # again: no change
    close(settlement, clock, 2)
    settle(settlement)
    with database.session() as session:
        assert last_finalized_epoch(session) == 1 and is_epoch_finalized(session, 0)
        assert dividends_commitment(session, "dividend:1") == 0
        assert dividends_commitment(session, "dividend:2") is None
        assert [s.epoch for s in epoch_statuses(session)] == [1, 0]
    committed = settlement.anchor.program.commitment(0)
    later = settlement.anchor.program.commitment(1)
    assert committed is not None and later is not None
    assert committed.dividends_root == ROOT and committed.cum_dividends_fen == 500_00
    assert later.dividends_root == bytes(32) and later.cum_dividends_fen == 500_00


def test_queuing_refuses_bad_roots_and_conflicts(database: Database, clock: ManualClock) -> None:
    with database.transaction() as session:
        queue_dividends_root(session, clock, "dividend:1", ROOT, 1)
    with database.transaction() as session:
        with pytest.raises(DividendsRootConflict):
            queue_dividends_root(session, clock, "dividend:1", ROOT, 2)
        for reference, root, amount in [("", ROOT, 1), ("d", bytes(32), 1), ("d", b"x", 1),
                                        ("d", ROOT, 0), ("d", ROOT, 1.5)]:  # fmt: skip
            with pytest.raises(InvalidDividendsRoot):
                queue_dividends_root(session, clock, reference, root, amount)  # type: ignore[arg-type]
