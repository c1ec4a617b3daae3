"""The SQL the journal runs, built once at import: reading and writing its rows.

Statements are plain Core over the tables and run on the session's connection, in the caller's
transaction. Building them once and skipping the ORM's bulk machinery roughly halves the cost of
a small transaction (measured by `milestone bench ledger`).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from typing import Any, cast

from sqlalchemy import Connection, Table, bindparam, insert, select, update

from milestone.ledger.models import (
    HEAD_ID,
    AccountRecord,
    BalanceRecord,
    JournalEntryRecord,
    JournalHeadRecord,
    PostingRecord,
)

CHUNK = 1_000
"""Names per IN (...) list: well under SQLite's and PostgreSQL's bound-parameter limits."""

account_table = cast(Table, AccountRecord.__table__)
balance_table = cast(Table, BalanceRecord.__table__)
entry_table = cast(Table, JournalEntryRecord.__table__)
posting_table = cast(Table, PostingRecord.__table__)
head_table = cast(Table, JournalHeadRecord.__table__)

_READ_HEAD = select(head_table.c.seq, head_table.c.hash, head_table.c.created_at).where(
    head_table.c.id == HEAD_ID
)
_LOCK_HEAD = _READ_HEAD.with_for_update()
_SEQ_OF_KEY = select(entry_table.c.seq).where(entry_table.c.idempotency_key == bindparam("key"))
_SEQS_OF_KEYS = select(entry_table.c.seq).where(
    entry_table.c.idempotency_key.in_(bindparam("keys", expanding=True))
)
_ENTRY = select(entry_table).where(entry_table.c.seq == bindparam("seq"))
_ENTRY_POSTINGS = (
    select(posting_table.c.account, posting_table.c.asset, posting_table.c.amount)
    .where(posting_table.c.entry_seq == bindparam("seq"))
    .order_by(posting_table.c.position)
)
_OPEN_NAMES = select(account_table.c.name).where(
    account_table.c.name.in_(bindparam("names", expanding=True))
)
_LOCK_BALANCES = (
    select(balance_table.c.account, balance_table.c.asset, balance_table.c.balance)
    .where(balance_table.c.account.in_(bindparam("names", expanding=True)))
    .order_by(balance_table.c.account, balance_table.c.asset)  # one lock order: no deadlocks
    .with_for_update()
)
_INSERT_ENTRY = insert(entry_table)
_INSERT_POSTING = insert(posting_table)
_INSERT_BALANCE = insert(balance_table)
_UPDATE_BALANCE = (
    update(balance_table)
    .where(
        balance_table.c.account == bindparam("b_account"),
        balance_table.c.asset == bindparam("b_asset"),
    )
    .values(balance=bindparam("b_balance"))
)
_UPDATE_HEAD = (
    update(head_table)
    .where(head_table.c.id == HEAD_ID)
    .values(seq=bindparam("h_seq"), hash=bindparam("h_hash"), created_at=bindparam("h_created_at"))
)


def head_row(connection: Connection, *, lock: bool) -> Any:
    """(seq, hash, created_at) of the journal head, row-locked if `lock` (PostgreSQL)."""
    return connection.execute(_LOCK_HEAD if lock else _READ_HEAD).one()


def seq_of_key(connection: Connection, key: str) -> int | None:
    seq: int | None = connection.execute(_SEQ_OF_KEY, {"key": key}).scalar_one_or_none()
    return seq


def seqs_of_keys(connection: Connection, keys: Iterable[str]) -> list[int]:
    """Sequence numbers of the entries posted under any of `keys`, ascending."""
    seqs: list[int] = []
    for chunk in _chunks(sorted(keys)):
        seqs.extend(connection.execute(_SEQS_OF_KEYS, {"keys": chunk}).scalars())
    return sorted(seqs)


def entry_row(connection: Connection, seq: int) -> Any:
    return connection.execute(_ENTRY, {"seq": seq}).one_or_none()


def entry_posting_rows(connection: Connection, seq: int) -> Sequence[Any]:
    return connection.execute(_ENTRY_POSTINGS, {"seq": seq}).all()


def open_names(connection: Connection, names: Iterable[str]) -> set[str]:
    """Which of `names` are open accounts."""
    found: set[str] = set()
    for chunk in _chunks(sorted(names)):
        found.update(connection.execute(_OPEN_NAMES, {"names": chunk}).scalars())
    return found


def lock_balance_rows(connection: Connection, accounts: Iterable[str]) -> Iterator[Any]:
    """(account, asset, balance) of every balance row of `accounts`, row-locked (PostgreSQL)."""
    for chunk in _chunks(sorted(accounts)):
        yield from connection.execute(_LOCK_BALANCES, {"names": chunk})


def insert_entries(
    connection: Connection,
    entries: list[dict[str, Any]],
    postings: list[dict[str, Any]],
    updated_balances: list[tuple[str, str, int]],
    created_balances: list[tuple[str, str, int]],
) -> None:
    """Write entries, their postings and the balances they change; move the head to the last."""
    connection.execute(_INSERT_ENTRY, entries)
    connection.execute(_INSERT_POSTING, postings)
    if updated_balances:
        connection.execute(
            _UPDATE_BALANCE,
            [{"b_account": a, "b_asset": s, "b_balance": b} for a, s, b in updated_balances],
        )
    if created_balances:
        connection.execute(
            _INSERT_BALANCE,
            [{"account": a, "asset": s, "balance": b} for a, s, b in created_balances],
        )
    last = entries[-1]
    connection.execute(
        _UPDATE_HEAD,
        {"h_seq": last["seq"], "h_hash": last["hash"], "h_created_at": last["created_at"]},
    )


def _chunks(items: list[str]) -> Iterator[list[str]]:
    for start in range(0, len(items), CHUNK):
        yield items[start : start + CHUNK]
