"""An account's lifetime flows by kind: summed over all its postings, adding up to its balance."""

from __future__ import annotations

import itertools
from collections.abc import Callable

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from milestone.clock import ManualClock
from milestone.ledger import ACTIVITY_RESERVE, Asset, balance_of, post_transaction, transfer
from milestone.ledger.flows import Flow, flows_of
from milestone.storage import Database

KEYS = itertools.count()


def test_flows_sum_every_posting_by_kind_not_a_page(
    database: Database, clock: ManualClock, fund: Callable[[str, int], None]
) -> None:
    for _ in range(60):  # more lines than any history page the wallet reads
        fund("owner:1", 7)
    with database.transaction() as session:
        post_transaction(session, clock, "gift", "gift-1", transfer("owner:1", "owner:2", 20))
        post_transaction(session, clock, "gift", "gift-2", transfer("owner:2", "owner:1", 5))
        flows = flows_of(session, "owner:1")
    assert flows == [Flow("gift", 5, 20), Flow("grant", 420, 0)]
    assert sum(flow.net for flow in flows) == 405


def test_an_account_with_no_postings_has_no_flows(
    database: Database, accounts: tuple[str, ...]
) -> None:
    with database.transaction() as session:
        assert flows_of(session, "owner:3") == []
        assert flows_of(session, "owner:3", Asset.CNY_FEN) == []


@settings(max_examples=15, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(moves=st.lists(
    st.tuples(st.sampled_from(["grant", "gift", "spend"]), st.integers(1, 10**9)), max_size=12,
))
def test_credits_less_debits_of_all_kinds_equal_the_balance(
    database: Database, clock: ManualClock, accounts: tuple[str, ...],
    moves: list[tuple[str, int]],
) -> None:
    with database.transaction() as session:
        for kind, amount in moves:
            held = balance_of(session, "owner:1")
            key = f"flow-{next(KEYS)}"
            if kind == "grant":
                post_transaction(session, clock, kind, key,
                                 transfer(ACTIVITY_RESERVE, "owner:1", amount))
            elif held:
                post_transaction(session, clock, kind, key,
                                 transfer("owner:1", "owner:2", min(amount, held)))
        flows = flows_of(session, "owner:1")
        assert sum(flow.net for flow in flows) == balance_of(session, "owner:1")
        assert all(flow.credited >= 0 and flow.debited >= 0 for flow in flows)
