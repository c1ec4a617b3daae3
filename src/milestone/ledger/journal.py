"""Posting journal transactions: validated, balanced, idempotent, chained by hash.

`post_transaction` does not commit. The caller's unit of work (`Database.run`) commits it with
the caller's own rows, so a telemetry batch or a store order and its postings land together or
not at all. Every check runs before the first write, so a refused transaction leaves the
session exactly as it was.

Writers serialize on the journal head: PostgreSQL locks the head row (SELECT ... FOR UPDATE),
SQLite holds its single write lock from BEGIN IMMEDIATE. Under that lock the idempotency key is
looked up, balances are read (locked again, row by row, on PostgreSQL) and the entry is chained
to the head, so concurrent writers can neither fork the chain nor overdraw an account.
"""

from __future__ import annotations

import json
import re
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import insert, select, update
from sqlalchemy.orm import Session

from milestone.clock import Clock
from milestone.ledger.accounts import MAY_GO_NEGATIVE, Asset, account_kind, as_asset, check_holds
from milestone.ledger.calendar import load_calendar
from milestone.ledger.encoding import chain_hash, encode_entry_body, encode_metadata
from milestone.ledger.errors import (
    AmountOutOfRange,
    BalanceOutOfRange,
    EmptyTransaction,
    EntryNotFound,
    IdempotencyConflict,
    InsufficientBalance,
    InvalidIdempotencyKey,
    InvalidKind,
    NegativeAmount,
    UnbalancedPostings,
    UnknownAccount,
    ZeroAmount,
)
from milestone.ledger.models import (
    HEAD_ID,
    AccountRecord,
    BalanceRecord,
    JournalEntryRecord,
    JournalHeadRecord,
    PostingRecord,
)
from milestone.rules.units import MAX_AMOUNT

KIND_PATTERN = re.compile(r"[a-z][a-z0-9_.-]{0,31}")
KEY_PATTERN = re.compile(r"[\x21-\x7e]{1,128}")
"""Idempotency keys: 1 to 128 printable ASCII characters, no spaces."""

QUERY_CHUNK = 1_000
"""Accounts per IN (...) list: well under SQLite's and PostgreSQL's bound-parameter limits."""


@dataclass(frozen=True)
class Posting:
    """A signed movement: a positive amount adds to the account's balance, a negative takes."""

    account: str
    asset: Asset
    amount: int


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
    seq: int
    hash: bytes
    created_at: int


def transfer(source: str, destination: str, amount: int, asset: Asset = Asset.STONE) -> list[Posting]:
    """The two postings moving a positive `amount` from `source` to `destination`."""
    _check_amount(amount)
    if amount < 0:
        raise NegativeAmount(f"a transfer moves a positive amount, not {amount}", amount=amount)
    return [Posting(source, asset, -amount), Posting(destination, asset, amount)]


def open_account(session: Session, clock: Clock, account: str) -> None:
    """Open `account` if it is not open yet (idempotent, safe under concurrent callers)."""
    open_accounts(session, clock, [account])


def open_accounts(session: Session, clock: Clock, accounts: Iterable[str]) -> None:
    """Open every account of `accounts` that is not open yet."""
    rows = {name: account_kind(name).name for name in accounts}
    if not rows:
        return
    insert_ = _dialect_insert(session)
    session.execute(
        insert_(AccountRecord).on_conflict_do_nothing(index_elements=["name"]),
        [{"name": name, "kind": kind, "opened_at": clock.now()} for name, kind in rows.items()],
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
    _check_kind(kind)
    _check_key(idempotency_key)
    lines = _validated_postings(postings)
    metadata_json = encode_metadata(metadata)
    calendar = load_calendar(session)
    head = lock_head(session)
    earlier = find_entry(session, idempotency_key)
    if earlier is not None:
        return _replay(earlier, kind, lines, metadata_json)
    _require_open(session, {line.account for line in lines})
    effect = _apply(_lock_balances(session, lines), lines)

    created_at = max(clock.now(), head.created_at)  # never earlier than the entry before it
    epoch = calendar.epoch_of(created_at)
    seq = head.seq + 1
    body = encode_entry_body(
        seq=seq, created_at=created_at, epoch=epoch, kind=kind, idempotency_key=idempotency_key,
        metadata_json=metadata_json,
        postings=((line.account, line.asset.value, line.amount) for line in lines),
    )
    entry_hash = chain_hash(head.hash, body)
    _write(
        session,
        {"seq": seq, "kind": kind, "idempotency_key": idempotency_key, "created_at": created_at,
         "epoch": epoch, "metadata_json": metadata_json, "prev_hash": head.hash,
         "hash": entry_hash},
        lines,
        effect,
    )
    return JournalEntry(
        seq=seq, kind=kind, idempotency_key=idempotency_key, created_at=created_at, epoch=epoch,
        postings=tuple(lines), metadata=json.loads(metadata_json), prev_hash=head.hash,
        hash=entry_hash,
    )


def lock_head(session: Session) -> Head:
    """Lock the journal head for the rest of the transaction and read it."""
    return _head(session, lock=True)


def read_head(session: Session) -> Head:
    """The journal head as this transaction sees it, without locking it."""
    return _head(session, lock=False)


def _head(session: Session, *, lock: bool) -> Head:
    query = select(
        JournalHeadRecord.seq, JournalHeadRecord.hash, JournalHeadRecord.created_at
    ).where(JournalHeadRecord.id == HEAD_ID)
    row = session.execute(query.with_for_update() if lock else query).one()
    return Head(seq=row.seq, hash=bytes(row.hash), created_at=row.created_at)


def find_entry(session: Session, idempotency_key: str) -> JournalEntry | None:
    """The entry posted under `idempotency_key`, if any."""
    seq = session.execute(
        select(JournalEntryRecord.seq).where(JournalEntryRecord.idempotency_key == idempotency_key)
    ).scalar_one_or_none()
    return None if seq is None else get_entry(session, seq)


def get_entry(session: Session, seq: int) -> JournalEntry:
    """The entry with sequence number `seq`."""
    entry = session.execute(
        select(JournalEntryRecord.__table__).where(JournalEntryRecord.seq == seq)
    ).one_or_none()
    if entry is None:
        raise EntryNotFound(f"no journal entry {seq}", seq=seq)
    postings = session.execute(
        select(PostingRecord.account, PostingRecord.asset, PostingRecord.amount)
        .where(PostingRecord.entry_seq == seq)
        .order_by(PostingRecord.position)
    ).all()
    return JournalEntry(
        seq=entry.seq, kind=entry.kind, idempotency_key=entry.idempotency_key,
        created_at=entry.created_at, epoch=entry.epoch,
        postings=tuple(Posting(p.account, Asset(p.asset), p.amount) for p in postings),
        metadata=json.loads(entry.metadata), prev_hash=bytes(entry.prev_hash),
        hash=bytes(entry.hash),
    )


def _check_kind(kind: str) -> None:
    if not isinstance(kind, str) or not KIND_PATTERN.fullmatch(kind):
        raise InvalidKind(f"transaction kind {kind!r} is not [a-z][a-z0-9_.-]{{0,31}}")


def _check_key(key: str) -> None:
    if not isinstance(key, str) or not KEY_PATTERN.fullmatch(key):
        raise InvalidIdempotencyKey(
            f"idempotency key {key!r} must be 1 to 128 printable ASCII characters"
        )


def _check_amount(amount: int) -> None:
    if isinstance(amount, bool) or not isinstance(amount, int):
        raise AmountOutOfRange(f"amounts are integer pebbles or fen, not {amount!r}")
    if amount == 0:
        raise ZeroAmount("an amount of zero moves nothing")
    if abs(amount) > MAX_AMOUNT:
        raise AmountOutOfRange(f"{amount} does not fit 64 bits", amount=amount)


def _validated_postings(postings: Sequence[Posting]) -> list[Posting]:
    if not postings:
        raise EmptyTransaction("a transaction needs postings")
    lines = []
    totals: dict[Asset, int] = defaultdict(int)
    for posting in postings:
        account_kind(posting.account)
        asset = as_asset(posting.asset)
        check_holds(posting.account, asset)
        _check_amount(posting.amount)
        lines.append(Posting(posting.account, asset, posting.amount))
        totals[asset] += posting.amount
    unbalanced = {asset.value: total for asset, total in totals.items() if total != 0}
    if unbalanced:
        raise UnbalancedPostings(f"postings do not sum to zero: {unbalanced}", sums=unbalanced)
    return lines


def _replay(
    earlier: JournalEntry, kind: str, lines: list[Posting], metadata_json: str
) -> JournalEntry:
    same = (
        earlier.kind == kind
        and list(earlier.postings) == lines
        and encode_metadata(earlier.metadata) == metadata_json
    )
    if not same:
        raise IdempotencyConflict(
            f"idempotency key {earlier.idempotency_key!r} was used by entry {earlier.seq} "
            "with different content",
            seq=earlier.seq,
        )
    return JournalEntry(**{**earlier.__dict__, "replayed": True})


def _require_open(session: Session, accounts: set[str]) -> None:
    found: set[str] = set()
    for chunk in _chunks(sorted(accounts)):
        found.update(
            session.execute(select(AccountRecord.name).where(AccountRecord.name.in_(chunk))).scalars()
        )
    missing = sorted(accounts - found)
    if missing:
        raise UnknownAccount(f"accounts not open: {', '.join(missing[:5])}", accounts=missing)


def _lock_balances(session: Session, lines: list[Posting]) -> dict[tuple[str, Asset], int | None]:
    """Current balances of the (account, asset) pairs touched, None where no row exists yet."""
    wanted = {(line.account, line.asset) for line in lines}
    balances: dict[tuple[str, Asset], int | None] = dict.fromkeys(wanted)
    for chunk in _chunks(sorted({account for account, _ in wanted})):
        rows = session.execute(
            select(BalanceRecord.account, BalanceRecord.asset, BalanceRecord.balance)
            .where(BalanceRecord.account.in_(chunk))
            .order_by(BalanceRecord.account, BalanceRecord.asset)  # one lock order: no deadlock
            .with_for_update()
        )
        for account, asset, balance in rows:
            if (account, asset) in balances:
                balances[(account, Asset(asset))] = balance
    return balances


@dataclass(frozen=True)
class _Effect:
    """What a transaction does to the balances."""

    balance_after: list[int]
    """The account's balance after each posting, in posting order."""
    updated: dict[tuple[str, Asset], int]
    """New balances of pairs that already have a balance row."""
    created: dict[tuple[str, Asset], int]
    """Balances of pairs touched for the first time."""


def _apply(balances: dict[tuple[str, Asset], int | None], lines: list[Posting]) -> _Effect:
    running = {pair: balance or 0 for pair, balance in balances.items()}
    after = []
    for line in lines:
        pair = (line.account, line.asset)
        new = running[pair] + line.amount
        if new < 0 and line.account not in MAY_GO_NEGATIVE:
            raise InsufficientBalance(
                f"{line.account} holds {running[pair]} {line.asset}, {-line.amount} requested",
                account=line.account, asset=line.asset.value, balance=running[pair],
            )
        if abs(new) > MAX_AMOUNT:
            raise BalanceOutOfRange(f"{line.account} would hold {new}, beyond 64 bits")
        running[pair] = new
        after.append(new)
    return _Effect(
        balance_after=after,
        updated={pair: running[pair] for pair, old in balances.items() if old is not None},
        created={pair: running[pair] for pair, old in balances.items() if old is None},
    )


def _write(
    session: Session, entry: dict[str, Any], lines: list[Posting], effect: _Effect
) -> None:
    seq = entry["seq"]
    session.execute(insert(JournalEntryRecord), [entry])
    session.execute(
        insert(PostingRecord),
        [
            {"entry_seq": seq, "position": position, "account": line.account,
             "asset": line.asset.value, "amount": line.amount, "balance_after": balance}
            for position, (line, balance) in enumerate(zip(lines, effect.balance_after, strict=True))
        ],
    )
    if effect.updated:
        session.execute(update(BalanceRecord), _balance_rows(effect.updated))
    if effect.created:
        session.execute(insert(BalanceRecord), _balance_rows(effect.created))
    session.execute(
        update(JournalHeadRecord)
        .where(JournalHeadRecord.id == HEAD_ID)
        .values(seq=seq, hash=entry["hash"], created_at=entry["created_at"])
    )


def _balance_rows(balances: dict[tuple[str, Asset], int]) -> list[dict[str, Any]]:
    return [
        {"account": account, "asset": asset.value, "balance": balance}
        for (account, asset), balance in balances.items()
    ]


def _dialect_insert(session: Session) -> Any:
    if session.get_bind().dialect.name == "postgresql":
        from sqlalchemy.dialects.postgresql import insert as postgresql_insert

        return postgresql_insert
    from sqlalchemy.dialects.sqlite import insert as sqlite_insert

    return sqlite_insert


def _chunks(items: list[str]) -> Iterable[list[str]]:
    for start in range(0, len(items), QUERY_CHUNK):
        yield items[start : start + QUERY_CHUNK]
