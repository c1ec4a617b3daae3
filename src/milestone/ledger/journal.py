"""Posting journal transactions: validated, balanced, idempotent, chained by hash.

`post_transaction` does not commit. The caller's unit of work (`Database.run`) commits it with
the caller's own rows, so a telemetry batch or a store order and its postings land together or
not at all. Every check runs before the first write, so a refused transaction leaves the
session exactly as it was.

Writers serialize on the journal head: PostgreSQL locks the head row (SELECT ... FOR UPDATE),
SQLite holds its single write lock from BEGIN IMMEDIATE. Under that lock the idempotency key is
looked up, balances are read (and row-locked on PostgreSQL) and the entry is chained to the
head, so concurrent writers can neither fork the chain nor overdraw an account.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

from sqlalchemy import Connection
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from milestone.clock import Clock
from milestone.ledger import rows
from milestone.ledger.accounts import MAY_GO_NEGATIVE, Asset, account_kind
from milestone.ledger.calendar import load_calendar
from milestone.ledger.encoding import chain_hash, encode_entry_body, encode_metadata
from milestone.ledger.errors import (
    BalanceOutOfRange,
    EntryNotFound,
    IdempotencyConflict,
    InsufficientBalance,
    UnknownAccount,
)
from milestone.ledger.postings import CheckedRequest, Posting, TransactionRequest, check_request
from milestone.rules.units import MAX_AMOUNT

Pair = tuple[str, Asset]


@dataclass(frozen=True)
class JournalEntry:
    seq: int
    kind: str
    idempotency_key: str
    created_at: int
    epoch: int
    postings: tuple[Posting, ...]
    metadata: Mapping[str, Any]
    prev_hash: bytes
    hash: bytes
    replayed: bool = field(default=False, compare=False)
    """True when this is the earlier result returned for a repeated idempotency key."""


@dataclass(frozen=True)
class Head:
    """The last entry of the journal (seq 0 and the zero hash before the first)."""

    seq: int
    hash: bytes
    created_at: int


def open_account(session: Session, clock: Clock, account: str) -> None:
    """Open `account` if it is not open yet (idempotent, safe under concurrent callers)."""
    open_accounts(session, clock, [account])


def open_accounts(session: Session, clock: Clock, accounts: Iterable[str]) -> None:
    """Open every account of `accounts` that is not open yet."""
    kinds = {name: account_kind(name).name for name in accounts}
    if not kinds:
        return
    connection = session.connection()
    dialect_insert = postgresql.insert if connection.dialect.name == "postgresql" else sqlite.insert
    statement = dialect_insert(rows.account_table).on_conflict_do_nothing(index_elements=["name"])
    now = clock.now()
    connection.execute(
        statement, [{"name": name, "kind": kind, "opened_at": now} for name, kind in kinds.items()]
    )


def post_transaction(
    session: Session,
    clock: Clock,
    kind: str,
    idempotency_key: str,
    postings: Sequence[Posting],
    metadata: Mapping[str, Any] | None = None,
) -> JournalEntry:
    """Append one balanced transaction to the journal and apply it to the balances.

    A second call with the same idempotency key and the same kind, postings (in the same order)
    and metadata returns the first entry, marked `replayed`, and changes nothing; the same key
    with different content raises `IdempotencyConflict`. Does not commit.
    """
    request = TransactionRequest(kind, idempotency_key, postings, metadata)
    return post_transactions(session, clock, [request])[0]


def post_transactions(
    session: Session, clock: Clock, requests: Sequence[TransactionRequest]
) -> list[JournalEntry]:
    """Post several transactions, in order, as if by `post_transaction` one after the other.

    All or nothing: if any is refused, none is posted. The rows of all of them are read and
    written in a few set-wise statements, which makes a large batch many times faster than a
    loop (see `milestone bench ledger`). All share one timestamp.
    """
    checked = [check_request(request) for request in requests]
    if not checked:
        return []
    calendar = load_calendar(session)
    connection = session.connection()
    head = _head(connection, lock=True)
    earlier = _entries_by_key(connection, {request.idempotency_key for request in checked})
    lines = [line for r in checked if r.idempotency_key not in earlier for line in r.postings]
    _require_open(connection, {line.account for line in lines})
    before = _locked_balances(connection, lines)

    created_at = max(clock.now(), head.created_at)  # never earlier than the entry before it
    batch = _Batch(head, created_at, calendar.epoch_of(created_at), before)
    results = []
    for request in checked:
        previous = earlier.get(request.idempotency_key)
        if previous is not None:
            results.append(_replay(previous, request))
        else:
            earlier[request.idempotency_key] = entry = batch.append(request)
            results.append(entry)
    if batch.entries:
        rows.insert_entries(connection, batch.entries, batch.postings, *batch.balance_changes())
    return results


class _Batch:
    """New entries chained onto the head, their posting rows, and the running balances."""

    def __init__(
        self, head: Head, created_at: int, epoch: int, before: dict[Pair, int | None]
    ) -> None:
        self.seq, self.prev_hash = head.seq, head.hash
        self.created_at, self.epoch = created_at, epoch
        self.before = before
        self.running = {pair: balance or 0 for pair, balance in before.items()}
        self.entries: list[dict[str, Any]] = []
        self.postings: list[dict[str, Any]] = []

    def append(self, request: CheckedRequest) -> JournalEntry:
        balance_after = _apply(self.running, request.postings)
        self.seq += 1
        entry = _chain(request, self.seq, self.created_at, self.epoch, self.prev_hash)
        self.entries.append(
            {
                "seq": entry.seq,
                "kind": entry.kind,
                "idempotency_key": entry.idempotency_key,
                "created_at": entry.created_at,
                "epoch": entry.epoch,
                "metadata": request.metadata_json,
                "prev_hash": entry.prev_hash,
                "hash": entry.hash,
            }
        )
        self.postings.extend(
            {
                "entry_seq": entry.seq,
                "position": position,
                "account": line.account,
                "asset": line.asset.value,
                "amount": line.amount,
                "balance_after": after,
            }
            for position, (line, after) in enumerate(
                zip(request.postings, balance_after, strict=True)
            )
        )
        self.prev_hash = entry.hash
        return entry

    def balance_changes(self) -> tuple[list[tuple[str, str, int]], list[tuple[str, str, int]]]:
        """New balances of pairs that have a balance row, and of pairs that need one."""
        updated = [
            (a, s.value, self.running[(a, s)]) for (a, s), b in self.before.items() if b is not None
        ]
        created = [
            (a, s.value, self.running[(a, s)]) for (a, s), b in self.before.items() if b is None
        ]
        return updated, created


def _chain(
    request: CheckedRequest, seq: int, created_at: int, epoch: int, prev_hash: bytes
) -> JournalEntry:
    body = encode_entry_body(
        seq=seq,
        created_at=created_at,
        epoch=epoch,
        kind=request.kind,
        idempotency_key=request.idempotency_key,
        metadata_json=request.metadata_json,
        postings=((line.account, line.asset.value, line.amount) for line in request.postings),
    )
    return JournalEntry(
        seq=seq,
        kind=request.kind,
        idempotency_key=request.idempotency_key,
        created_at=created_at,
        epoch=epoch,
        postings=tuple(request.postings),
        metadata=json.loads(request.metadata_json),
        prev_hash=prev_hash,
        hash=chain_hash(prev_hash, body),
    )


def lock_head(session: Session) -> Head:
    """Lock the journal head for the rest of the transaction and read it."""
    return _head(session.connection(), lock=True)


def read_head(session: Session) -> Head:
    """The journal head as this transaction sees it, without locking it."""
    return _head(session.connection(), lock=False)


def find_entry(session: Session, idempotency_key: str) -> JournalEntry | None:
    """The entry posted under `idempotency_key`, if any."""
    connection = session.connection()
    seq = rows.seq_of_key(connection, idempotency_key)
    return None if seq is None else _entry(connection, seq)


def get_entry(session: Session, seq: int) -> JournalEntry:
    """The entry with sequence number `seq`."""
    return _entry(session.connection(), seq)


def _head(connection: Connection, *, lock: bool) -> Head:
    row = rows.head_row(connection, lock=lock)
    return Head(seq=row.seq, hash=bytes(row.hash), created_at=row.created_at)


def _entry(connection: Connection, seq: int) -> JournalEntry:
    entry = rows.entry_row(connection, seq)
    if entry is None:
        raise EntryNotFound(f"no journal entry {seq}", seq=seq)
    return JournalEntry(
        seq=entry.seq,
        kind=entry.kind,
        idempotency_key=entry.idempotency_key,
        created_at=entry.created_at,
        epoch=entry.epoch,
        postings=tuple(
            Posting(p.account, Asset(p.asset), p.amount)
            for p in rows.entry_posting_rows(connection, seq)
        ),
        metadata=json.loads(entry.metadata),
        prev_hash=bytes(entry.prev_hash),
        hash=bytes(entry.hash),
    )


def _replay(earlier: JournalEntry, request: CheckedRequest) -> JournalEntry:
    same = (
        earlier.kind == request.kind
        and list(earlier.postings) == request.postings
        and encode_metadata(earlier.metadata) == request.metadata_json
    )
    if not same:
        raise IdempotencyConflict(
            f"idempotency key {earlier.idempotency_key!r} was used by entry {earlier.seq} "
            "with different content",
            seq=earlier.seq,
        )
    return replace(earlier, replayed=True)


def _entries_by_key(connection: Connection, keys: set[str]) -> dict[str, JournalEntry]:
    """The entries already posted under any of `keys`."""
    return {
        entry.idempotency_key: entry
        for entry in (_entry(connection, seq) for seq in rows.seqs_of_keys(connection, keys))
    }


def _require_open(connection: Connection, accounts: set[str]) -> None:
    missing = accounts - rows.open_names(connection, accounts)
    if missing:
        names = sorted(missing)
        raise UnknownAccount(f"accounts not open: {', '.join(names[:5])}", accounts=names)


def _locked_balances(connection: Connection, lines: list[Posting]) -> dict[Pair, int | None]:
    """Current balances of the pairs touched, None where the pair has no balance row yet."""
    balances: dict[Pair, int | None] = {(line.account, line.asset): None for line in lines}
    for account, asset, balance in rows.lock_balance_rows(connection, {a for a, _ in balances}):
        pair = (account, Asset(asset))
        if pair in balances:
            balances[pair] = balance
    return balances


def _apply(running: dict[Pair, int], lines: list[Posting]) -> list[int]:
    """Apply `lines` to the `running` balances; the balance after each posting."""
    after = []
    for line in lines:
        pair = (line.account, line.asset)
        new = running[pair] + line.amount
        if new < 0 and line.account not in MAY_GO_NEGATIVE:
            raise InsufficientBalance(
                f"{line.account} holds {running[pair]} {line.asset}, {-line.amount} requested",
                account=line.account,
                asset=line.asset.value,
                balance=running[pair],
            )
        if abs(new) > MAX_AMOUNT:
            raise BalanceOutOfRange(f"{line.account} would hold {new}, beyond 64 bits")
        running[pair] = new
        after.append(new)
    return after
