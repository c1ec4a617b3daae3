"""Settling epochs end to end: a simulated fleet through the intake, the embedded chain, audit."""

from __future__ import annotations

from typing import Any

from milestone.clock import ManualClock
from milestone.epochs.settle import settle
from milestone.epochs.steps import Settlement

DAY = 86_400


def test_three_epochs_settle_and_pay_the_budget(
    settlement: Settlement, clock: ManualClock, make_fleet: Any
) -> None:
    genesis = settlement.program.genesis
    fleet = make_fleet(4)
    fleet.drive(genesis, 3)
    clock.set(genesis + 3 * DAY + settlement.grace_seconds)
    settled = settle(settlement)
    assert [s.epoch for s in settled] == [0, 1, 2]


def test_audit_passes_after_settlement(
    settlement: Settlement, clock: ManualClock, make_fleet: Any
) -> None:
    from milestone.audit.run import run_audit
    from milestone.epochs import epochfile

    genesis = settlement.program.genesis
    fleet = make_fleet(4)
    fleet.drive(genesis, 3)
    clock.set(genesis + 3 * DAY + settlement.grace_seconds)
    settle(settlement)
    report = run_audit(
        settlement.epochs_dir, settlement.anchor.program, bytes.fromhex(settlement.anchor.address[2:])
    )
    print(report.to_dict())
    assert report.ok
    record, _ = epochfile.read(settlement.epochs_dir / epochfile.file_name(2))
    print(record.totals, record.rewards, record.balances)
