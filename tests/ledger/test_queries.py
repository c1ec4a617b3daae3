"""Reading the ledger: balances now and at an epoch's end, history pages, and totals."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from milestone.clock import ManualClock
from milestone.ledger import (
    ACTIVITY_BUDGET,
    ACTIVITY_RESERVE,
    BURNED,
    MINING_RESERVE,
    TREASURY,
    Asset,
    balance_of,
    balances,
    history,
    open_accounts,
    post_transaction,
    totals,
    transfer,
)
from milestone.ledger.errors import InvalidAccount, InvalidCursor, UnknownAccount
from milestone.program.service import Program, create_program
from milestone.rules.params import get_preset
from milestone.storage import Database

DAY = 86_400


def test_balance_at_the_end_of_each_epoch(
    database: Database, clock: ManualClock, program: Program, fund: Callable[[str, int], None]
) -> None:
    fund("owner:1", 100)  # epoch 0
    clock.set(program.genesis + 2 * DAY + 10)
    with database.transaction() as session:
        post_transaction(session, clock, "gift", "e2", transfer("owner:1", "owner:2", 30))
    clock.set(program.genesis + 5 * DAY)
    with database.transaction() as session:
        post_transaction(session, clock, "gift", "e5", transfer("owner:1", "owner:2", 20))
    with database.session() as session:
        at = {e: balance_of(session, "owner:1", at_epoch=e) for e in (-1, 0, 1, 2, 4, 5, 9)}
        assert at == {-1: 0, 0: 100, 1: 100, 2: 70, 4: 70, 5: 50, 9: 50}
        assert balance_of(session, "owner:1") == 50
        assert balances(session, kind="owner", at_epoch=1) == {"owner:1": 100}
        assert balances(session, kind="owner", at_epoch=2) == {"owner:1": 70, "owner:2": 30}
        assert balances(session, kind="owner") == {"owner:1": 50, "owner:2": 50}
        assert balances(session, Asset.CNY_FEN, kind="owner") == {}


def test_entries_before_genesis_fall_in_negative_epochs(database: Database) -> None:
    genesis = 1_767_225_600
    early = ManualClock(genesis - 2 * 3_600)  # the program is set up the evening before
    with database.transaction() as session:
        create_program(session, early, get_preset("minimal"), genesis=genesis)
        open_accounts(session, early, ["owner:9"])
        entry = post_transaction(
            session, early, "gift", "early", transfer(ACTIVITY_RESERVE, "owner:9", 5)
        )
    assert entry.epoch == -1
    with database.session() as session:
        assert balance_of(session, "owner:9", at_epoch=-1) == 5
        assert balance_of(session, "owner:9", at_epoch=-2) == 0


def test_history_pages_newest_first_until_the_last(
    database: Database, clock: ManualClock, fund: Callable[[str, int], None]
) -> None:
    fund("owner:1", 100)
    with database.transaction() as session:
        for n in range(1, 6):
            clock.advance(60)
            post_transaction(
                session, clock, "gift", f"h{n}", transfer("owner:1", "owner:2", n), {"n": n}
            )
    seen = []
    cursor = None
    with database.session() as session:
        while True:
            page = history(session, "owner:1", before=cursor, limit=2)
            seen.extend(page.lines)
            cursor = page.next_cursor
            if cursor is None:
                break
    assert [line.amount for line in seen] == [-5, -4, -3, -2, -1, 100]
    assert [line.balance_after for line in seen] == [85, 90, 94, 97, 99, 100]
    assert seen[0].metadata == {"n": 5} and seen[0].kind == "gift"
    assert [line.seq for line in seen] == sorted((line.seq for line in seen), reverse=True)


@pytest.mark.parametrize("cursor", ["", "12", "a.b", "1.-1"])
def test_a_malformed_cursor_is_refused(
    database: Database, accounts: tuple[str, ...], cursor: str
) -> None:
    with database.session() as session, pytest.raises(InvalidCursor):
        history(session, "owner:1", before=cursor)


def test_reading_an_account_never_opened_or_malformed_is_refused(
    database: Database, accounts: tuple[str, ...]
) -> None:
    with database.session() as session:
        with pytest.raises(UnknownAccount):
            balance_of(session, "owner:77")
        with pytest.raises(InvalidAccount):
            history(session, "owner:x")


def test_totals_reconcile_to_the_supply_wherever_the_stones_go(
    database: Database, clock: ManualClock, program: Program, accounts: tuple[str, ...]
) -> None:
    with database.transaction() as session:
        open_accounts(session, clock, ["campaign:1"])
        post_transaction(
            session, clock, "release", "r", transfer(ACTIVITY_RESERVE, ACTIVITY_BUDGET, 900)
        )
        post_transaction(
            session, clock, "campaign", "c", transfer(ACTIVITY_BUDGET, "campaign:1", 300)
        )
        post_transaction(session, clock, "drop", "d", transfer(MINING_RESERVE, "owner:1", 500))
        post_transaction(session, clock, "order", "o", transfer("owner:1", "merchant:1", 200))
        post_transaction(session, clock, "fulfil", "f", transfer("merchant:1", BURNED, 120))
        post_transaction(session, clock, "fulfil", "t", transfer("merchant:1", TREASURY, 30))
    with database.session() as session:
        result = totals(session)
    supply = program.parameters.total_supply
    assert result.issued == supply
    assert (
        result.budgets,
        result.circulating,
        result.merchants,
        result.burned,
        result.treasury,
    ) == (900, 300, 50, 120, 30)
    assert result.mining_reserve == program.parameters.mining.pool - 500
    assert result.activity_reserve == program.parameters.activity.pool - 900
    assert result.reconciles and result.accounted == supply
