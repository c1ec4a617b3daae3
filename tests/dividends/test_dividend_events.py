"""The events of a dividend: declared once, each entitlement paid once, owners by address."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable

from milestone.clock import ManualClock
from milestone.dividends.declare import declare_dividend
from milestone.dividends.payouts import confirm_payouts, export_payouts
from milestone.events import events_after, owner_addresses
from milestone.storage import Database

STONE = 10**8


def test_a_dividend_is_declared_once_and_each_share_paid_once(
    database: Database, clock: ManualClock, make_owner: Callable[[], int],
    settle_state: Callable[[int, dict[int, int]], None],
) -> None:
    owners = [make_owner() for _ in range(2)]
    settle_state(0, {owner: (i + 1) * STONE for i, owner in enumerate(owners)})
    for _ in range(2):  # the second declaration under the same key is the first one
        with database.transaction() as session:
            dividend = declare_dividend(session, clock, amount_fen=300, record_epoch=0,
                                        payment_date="2026-03-31", note="FY2025", key="d1")
    with database.session() as session:
        export = export_payouts(session, dividend.id)
    rows = list(csv.DictReader(io.StringIO(export)))
    back = io.StringIO()
    fields = ["reference", "amount_fen", "status", "rail_reference"]
    writer = csv.DictWriter(back, fieldnames=fields)
    writer.writeheader()
    writer.writerows({"reference": r["reference"], "amount_fen": r["amount_fen"],
                      "status": "paid", "rail_reference": "BANK"} for r in rows)
    for _ in range(2):  # the same returned file twice pays nobody twice
        with database.transaction() as session:
            confirm_payouts(session, clock, dividend.id, back.getvalue())
    with database.session() as session:
        events = [e for e in events_after(session, 0) if e.type.startswith("dividend.")]
        addresses = owner_addresses(session, owners)
    assert [e.type for e in events] == ["dividend.declared", "dividend.paid", "dividend.paid"]
    assert events[0].data["amount_fen"] == "300" and events[0].data["holders"] == 2
    assert {(e.data["owner"], e.data["amount_fen"]) for e in events[1:]} == {
        (addresses[owners[0]], "100"), (addresses[owners[1]], "200"),
    }
