"""Reading the ledger: balances now and at the end of an epoch, history, and totals."""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, select, tuple_
from sqlalchemy.orm import Session

from milestone.ledger.accounts import (
    ACTIVITY_RESERVE,
    BURNED,
    MINING_RESERVE,
    SUPPLY,
    TREASURY,
    Asset,
    account_kind,
    as_asset,
    check_holds,
)
from milestone.ledger.errors import InvalidCursor, InvalidPageSize, UnknownAccount
from milestone.ledger.models import AccountRecord, BalanceRecord, JournalEntryRecord, PostingRecord

HISTORY_PAGE_MAX = 500


def balance_of(
    session: Session, account: str, asset: Asset = Asset.STONE, at_epoch: int | None = None
) -> int:
    """The balance of `account` now, or at the end of epoch `at_epoch` when given."""
    asset = _checked(session, account, asset)
    if at_epoch is None:
        balance = session.execute(
            select(BalanceRecord.balance).where(
                BalanceRecord.account == account, BalanceRecord.asset == asset.value
            )
        ).scalar_one_or_none()
        return balance or 0
    last_seq = last_seq_of_epoch(session, at_epoch)
    if last_seq is None:
        return 0
    balance = session.execute(
        select(PostingRecord.balance_after)
        .where(
            PostingRecord.account == account,
            PostingRecord.asset == asset.value,
            PostingRecord.entry_seq <= last_seq,
        )
        .order_by(PostingRecord.entry_seq.desc(), PostingRecord.position.desc())
        .limit(1)
    ).scalar_one_or_none()
    return balance or 0


def balances(
    session: Session,
    asset: Asset = Asset.STONE,
    *,
    kind: str | None = None,
    at_epoch: int | None = None,
) -> dict[str, int]:
    """Non-zero balances of every account (of one kind, if given), now or at an epoch's end."""
    asset = as_asset(asset)
    if at_epoch is None:
        query = select(BalanceRecord.account, BalanceRecord.balance).where(
            BalanceRecord.asset == asset.value, BalanceRecord.balance != 0
        )
        if kind is not None:
            query = query.join(AccountRecord, AccountRecord.name == BalanceRecord.account).where(
                AccountRecord.kind == kind
            )
        return {account: balance for account, balance in session.execute(query)}
    last_seq = last_seq_of_epoch(session, at_epoch)
    if last_seq is None:
        return {}
    # The latest posting of each account up to the epoch's last entry carries its balance.
    ranked = select(
        PostingRecord.account,
        PostingRecord.balance_after,
        func.row_number()
        .over(
            partition_by=PostingRecord.account,
            order_by=(PostingRecord.entry_seq.desc(), PostingRecord.position.desc()),
        )
        .label("recency"),
    ).where(PostingRecord.asset == asset.value, PostingRecord.entry_seq <= last_seq)
    if kind is not None:
        ranked = ranked.join(AccountRecord, AccountRecord.name == PostingRecord.account).where(
            AccountRecord.kind == kind
        )
    latest = ranked.subquery()
    rows = session.execute(
        select(latest.c.account, latest.c.balance_after).where(latest.c.recency == 1)
    )
    return {account: balance for account, balance in rows if balance != 0}


def last_seq_of_epoch(session: Session, epoch: int) -> int | None:
    """The last journal entry stamped with an epoch up to `epoch`, None if there is none."""
    # Epochs never decrease along the journal, so this is the entry closing the epoch.
    return session.execute(
        select(func.max(JournalEntryRecord.seq)).where(JournalEntryRecord.epoch <= epoch)
    ).scalar_one()


@dataclass(frozen=True)
class HistoryLine:
    seq: int
    position: int
    created_at: int
    epoch: int
    kind: str
    amount: int
    balance_after: int
    metadata: Mapping[str, Any]


@dataclass(frozen=True)
class HistoryPage:
    lines: list[HistoryLine]
    next_cursor: str | None
    """Pass as `before` for the next (older) page; None on the last page."""


def history(
    session: Session,
    account: str,
    asset: Asset = Asset.STONE,
    *,
    before: str | None = None,
    limit: int = 50,
) -> HistoryPage:
    """The postings of an account, newest first, a page at a time."""
    asset = _checked(session, account, asset)
    if not 1 <= limit <= HISTORY_PAGE_MAX:
        raise InvalidPageSize(f"page size must be 1..{HISTORY_PAGE_MAX}, not {limit}")
    query = (
        select(
            PostingRecord.entry_seq,
            PostingRecord.position,
            PostingRecord.amount,
            PostingRecord.balance_after,
            JournalEntryRecord.created_at,
            JournalEntryRecord.epoch,
            JournalEntryRecord.kind,
            JournalEntryRecord.metadata_json,
        )
        .join(JournalEntryRecord, JournalEntryRecord.seq == PostingRecord.entry_seq)
        .where(PostingRecord.account == account, PostingRecord.asset == asset.value)
        .order_by(PostingRecord.entry_seq.desc(), PostingRecord.position.desc())
        .limit(limit + 1)
    )
    if before is not None:
        seq, position = _parse_cursor(before)
        query = query.where(
            tuple_(PostingRecord.entry_seq, PostingRecord.position) < (seq, position)
        )
    rows = session.execute(query).all()
    lines = [
        HistoryLine(
            seq=row.entry_seq,
            position=row.position,
            created_at=row.created_at,
            epoch=row.epoch,
            kind=row.kind,
            amount=row.amount,
            balance_after=row.balance_after,
            metadata=json.loads(row.metadata_json),
        )
        for row in rows[:limit]
    ]
    more = len(rows) > limit
    return HistoryPage(lines, f"{lines[-1].seq}.{lines[-1].position}" if more else None)


def _parse_cursor(cursor: str) -> tuple[int, int]:
    seq, dot, position = cursor.partition(".")
    if not (dot and seq.isdigit() and position.isdigit()):
        raise InvalidCursor(f"not a history cursor: {cursor!r}")
    return int(seq), int(position)


@dataclass(frozen=True)
class Totals:
    """Where every issued stone is, in pebbles; the parts always add up to `issued`."""

    issued: int
    mining_reserve: int
    activity_reserve: int
    budgets: int
    """Released activity budget and campaign budgets."""
    circulating: int
    """Held by owners."""
    merchants: int
    treasury: int
    burned: int

    @property
    def accounted(self) -> int:
        return (
            self.mining_reserve
            + self.activity_reserve
            + self.budgets
            + self.circulating
            + self.merchants
            + self.treasury
            + self.burned
        )

    @property
    def reconciles(self) -> bool:
        return self.accounted == self.issued


def totals(session: Session) -> Totals:
    """Stone totals per kind of account, read from the balances."""
    by_kind: dict[str, int] = {
        kind: int(total)
        for kind, total in session.execute(
            select(AccountRecord.kind, func.sum(BalanceRecord.balance))
            .join(AccountRecord, AccountRecord.name == BalanceRecord.account)
            .where(BalanceRecord.asset == Asset.STONE.value)
            .group_by(AccountRecord.kind)
        )
    }
    named: dict[str, int] = {
        account: balance
        for account, balance in session.execute(
            select(BalanceRecord.account, BalanceRecord.balance).where(
                BalanceRecord.asset == Asset.STONE.value,
                BalanceRecord.account.in_(
                    [SUPPLY, MINING_RESERVE, ACTIVITY_RESERVE, TREASURY, BURNED]
                ),
            )
        )
    }
    return Totals(
        issued=-named.get(SUPPLY, 0),
        mining_reserve=named.get(MINING_RESERVE, 0),
        activity_reserve=named.get(ACTIVITY_RESERVE, 0),
        budgets=by_kind.get("budget", 0) + by_kind.get("campaign", 0),
        circulating=by_kind.get("owner", 0),
        merchants=by_kind.get("merchant", 0),
        treasury=named.get(TREASURY, 0),
        burned=named.get(BURNED, 0),
    )


def _checked(session: Session, account: str, asset: Asset | str) -> Asset:
    account_kind(account)
    checked = as_asset(asset)
    check_holds(account, checked)
    opened = session.execute(
        select(AccountRecord.name).where(AccountRecord.name == account)
    ).scalar_one_or_none()
    if opened is None:
        raise UnknownAccount(f"account {account} is not open", accounts=[account])
    return checked
