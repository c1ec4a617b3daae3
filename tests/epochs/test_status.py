"""What settlement tells other services: epoch statuses, finality and settled balances for the
dividends, and the dividend roots it commits on-chain."""

from __future__ import annotations

from typing import Any

from milestone.audit.run import run_audit
from milestone.clock import ManualClock
from milestone.dividends.declare import declare_dividend
from milestone.epochs import epochfile
from milestone.epochs.settle import settle
from milestone.epochs.status import (
    epoch_statuses,
    is_epoch_finalized,
    last_finalized_epoch,
    settled_balances,
)
from milestone.epochs.steps import Settlement

from .conftest import close


def test_finality_reaches_the_dividends_and_a_declared_root_is_committed_next(
    settlement: Settlement, clock: ManualClock, make_fleet: Any
) -> None:
    database = settlement.database
    fleet = make_fleet(3)
    fleet.drive(settlement.program.genesis, 1)
    with database.session() as session:
        assert last_finalized_epoch(session) is None and not is_epoch_finalized(session, 0)
    close(settlement, clock, 1)
    settle(settlement)  # during epoch 1, as the operator's daily run does
    close(settlement, clock, 2)
    settle(settlement)
    with database.session() as session:
        assert last_finalized_epoch(session) == 1 and is_epoch_finalized(session, 0)
        assert not is_epoch_finalized(session, 2)
        statuses = epoch_statuses(session)
        assert [(s.epoch, s.status) for s in statuses] == [(1, "finalized"), (0, "finalized")]
    with database.transaction() as session:
        dividend = declare_dividend(
            session, clock, amount_fen=1_000_00, record_epoch=1, payment_date="2026-03-01",
            note="test", key="dividend-test-1",
        )
        root = bytes(dividend.root)
    close(settlement, clock, 4)
    settle(settlement)
    first, second = (settlement.anchor.program.commitment(e) for e in (2, 3))
    assert first is not None and second is not None
    assert first.dividends_root == root and first.cum_dividends_fen == 1_000_00
    assert second.dividends_root == bytes(32) and second.cum_dividends_fen == 1_000_00
    contract = bytes.fromhex(settlement.anchor.address[2:])
    report = run_audit(settlement.epochs_dir, settlement.anchor.program, contract)
    assert report.ok, [v.to_dict() for v in report.verdicts]


def test_settled_balances_are_each_epochs_state(
    settlement: Settlement, clock: ManualClock, make_fleet: Any
) -> None:
    fleet = make_fleet(3)
    fleet.drive(settlement.program.genesis, 2)
    close(settlement, clock, 3)
    settle(settlement)
    with settlement.database.session() as session:
        for epoch in range(3):
            record, _ = epochfile.read(settlement.epochs_dir / epochfile.file_name(epoch))
            settled = settled_balances(session, epoch)
            assert {address: balance for address, balance in settled.values()} == record.balances
        assert settled_balances(session, -1) == {}
