"""`ledger verify`: re-walk the hash chain and re-add every balance from the postings.

Edits behind the ledger's back show up as: an entry whose stored content no longer hashes to its
stored hash (`hash_mismatch`), an entry whose `prev_hash` is not its predecessor's hash
(`hash_link_broken`), a missing entry (`sequence_gap`), postings that do not sum to zero
(`postings_unbalanced`), a stored balance that differs from the sum of its postings
(`balance_mismatch`, `balance_after_mismatch`), and a head that is not the last entry
(`head_mismatch`). A rewrite that recomputes every hash after the edit is only caught against
a head hash committed elsewhere (on-chain, per finalized epoch).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator
from dataclasses import asdict, dataclass, field
from itertools import groupby
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from milestone.ledger.accounts import MAY_GO_NEGATIVE, SUPPLY, Asset
from milestone.ledger.calendar import Calendar, load_calendar
from milestone.ledger.encoding import ZERO_HASH, chain_hash, encode_entry_body
from milestone.ledger.journal import read_head
from milestone.ledger.models import BalanceRecord, JournalEntryRecord, PostingRecord
from milestone.program.models import PROGRAM_ID, ProgramRecord

STREAM_ROWS = 5_000
MAX_PROBLEMS = 100


@dataclass(frozen=True)
class Problem:
    code: str
    message: str
    seq: int | None = None
    """The journal entry at fault (for balances: the last entry that touched the account)."""
    account: str | None = None
    asset: str | None = None


@dataclass
class VerifyReport:
    entries: int = 0
    postings: int = 0
    head_seq: int = 0
    head_hash: bytes = ZERO_HASH
    problems: list[Problem] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems

    @property
    def first(self) -> Problem | None:
        """The problem at the earliest entry: where the ledger first stopped being intact."""
        if not self.problems:
            return None
        return min(self.problems, key=lambda p: (p.seq is None, p.seq or 0))

    def to_dict(self) -> dict[str, Any]:
        first = self.first
        return {
            "ok": self.ok,
            "entries": self.entries,
            "postings": self.postings,
            "head_seq": self.head_seq,
            "head_hash": "0x" + self.head_hash.hex(),
            "first_problem": None if first is None else asdict(first),
            "problems": [asdict(problem) for problem in self.problems],
        }


def verify_ledger(session: Session) -> VerifyReport:
    """Check the whole journal and every balance; read-only.

    Run it in one snapshot (`Database.snapshot()`) so writers appending meanwhile are not seen
    half-way; it takes no lock and does not hold them up.
    """
    head = read_head(session)
    calendar = load_calendar(session)
    walk = _Walk(calendar)
    for seq, rows in groupby(_stream(session), key=lambda row: row.seq):
        walk.entry(seq, list(rows))
    report = walk.report
    if (head.seq, head.hash) != (walk.prev_seq, walk.prev_hash):
        walk.problem(
            "head_mismatch",
            f"journal head says entry {head.seq}, the last entry is {walk.prev_seq}",
            seq=walk.prev_seq or None,
        )
    report.head_seq, report.head_hash = head.seq, head.hash
    _check_balances(session, walk)
    _check_issued(session, walk)
    return report


def _stream(session: Session) -> Iterator[Any]:
    entry, posting = JournalEntryRecord, PostingRecord
    query = (
        select(
            entry.seq,
            entry.kind,
            entry.idempotency_key,
            entry.created_at,
            entry.epoch,
            entry.metadata_json,
            entry.prev_hash,
            entry.hash,
            posting.position,
            posting.account,
            posting.asset,
            posting.amount,
            posting.balance_after,
        )
        .outerjoin(posting, posting.entry_seq == entry.seq)
        .order_by(entry.seq, posting.position)
        .execution_options(yield_per=STREAM_ROWS)
    )
    yield from session.execute(query)


class _Walk:
    """The state carried from one entry to the next."""

    def __init__(self, calendar: Calendar) -> None:
        self.calendar = calendar
        self.report = VerifyReport()
        self.prev_seq = 0
        self.prev_hash = ZERO_HASH
        self.prev_created_at: int | None = None
        self.balances: dict[tuple[str, str], int] = defaultdict(int)
        self.last_touch: dict[tuple[str, str], int] = {}

    def problem(self, code: str, message: str, **where: Any) -> None:
        if len(self.report.problems) < MAX_PROBLEMS:
            self.report.problems.append(Problem(code, message, **where))

    def entry(self, seq: int, rows: list[Any]) -> None:
        first = rows[0]
        postings = [row for row in rows if row.position is not None]
        self.report.entries += 1
        self.report.postings += len(postings)
        if seq != self.prev_seq + 1:
            self.problem("sequence_gap", f"entry {seq} follows entry {self.prev_seq}", seq=seq)
        if bytes(first.prev_hash) != self.prev_hash:
            self.problem(
                "hash_link_broken",
                f"entry {seq}: prev_hash is not the hash of entry {self.prev_seq}",
                seq=seq,
            )
        body = encode_entry_body(
            seq=seq,
            created_at=first.created_at,
            epoch=first.epoch,
            kind=first.kind,
            idempotency_key=first.idempotency_key,
            metadata_json=first.metadata_json,
            postings=((row.account, row.asset, row.amount) for row in postings),
        )
        if chain_hash(bytes(first.prev_hash), body) != bytes(first.hash):
            self.problem(
                "hash_mismatch", f"entry {seq}: stored content does not match its hash", seq=seq
            )
        self._check_entry_values(seq, first, postings)
        self.prev_seq, self.prev_hash = seq, bytes(first.hash)
        self.prev_created_at = first.created_at

    def _check_entry_values(self, seq: int, first: Any, postings: list[Any]) -> None:
        if not postings:
            self.problem("no_postings", f"entry {seq} has no postings", seq=seq)
        sums: dict[str, int] = defaultdict(int)
        for row in postings:
            sums[row.asset] += row.amount
            pair = (row.account, row.asset)
            self.balances[pair] += row.amount
            self.last_touch[pair] = seq
            if row.balance_after != self.balances[pair]:
                self.problem(
                    "balance_after_mismatch",
                    f"entry {seq}: {row.account} shows {row.balance_after} {row.asset} after "
                    f"posting {row.position}, its postings sum to {self.balances[pair]}",
                    seq=seq,
                    account=row.account,
                    asset=row.asset,
                )
            if self.balances[pair] < 0 and row.account not in MAY_GO_NEGATIVE:
                self.problem(
                    "negative_balance",
                    f"entry {seq}: {row.account} goes below zero",
                    seq=seq,
                    account=row.account,
                    asset=row.asset,
                )
        unbalanced = {asset: total for asset, total in sums.items() if total}
        if unbalanced:
            self.problem(
                "postings_unbalanced", f"entry {seq}: postings sum to {unbalanced}", seq=seq
            )
        if first.epoch != self.calendar.epoch_of(first.created_at):
            self.problem(
                "epoch_mismatch",
                f"entry {seq}: epoch {first.epoch} does not match its time",
                seq=seq,
            )
        if self.prev_created_at is not None and first.created_at < self.prev_created_at:
            self.problem("time_regressed", f"entry {seq} is older than entry {seq - 1}", seq=seq)


def _check_balances(session: Session, walk: _Walk) -> None:
    stored = {
        (row.account, row.asset): row.balance
        for row in session.execute(
            select(BalanceRecord.account, BalanceRecord.asset, BalanceRecord.balance)
        )
    }
    for pair in sorted(set(stored) | set(walk.balances)):
        summed = walk.balances.get(pair, 0)
        if stored.get(pair, 0) != summed:
            account, asset = pair
            walk.problem(
                "balance_mismatch",
                f"{account} stores {stored.get(pair, 0)} {asset}, its postings sum to {summed}",
                seq=walk.last_touch.get(pair),
                account=account,
                asset=asset,
            )


def _check_issued(session: Session, walk: _Walk) -> None:
    total_supply = session.execute(
        select(ProgramRecord.total_supply).where(ProgramRecord.id == PROGRAM_ID)
    ).scalar_one()
    issued = -walk.balances.get((SUPPLY, Asset.STONE.value), 0)
    if issued != total_supply:
        walk.problem(
            "supply_mismatch",
            f"the journal issues {issued} pebbles, the program's supply is {total_supply}",
            seq=walk.last_touch.get((SUPPLY, Asset.STONE.value)),
            account=SUPPLY,
            asset=Asset.STONE.value,
        )
