"""The journal against the heads committed on-chain: a rewrite that recomputes every hash.

`verify_ledger` proves the journal consistent with itself; someone with write access to the
database can still change an entry and recompute every later hash, and every balance, with the
documented encoding. What such a rewrite cannot forge is a head committed on-chain: each
finalized epoch commits the hash of the journal's last entry at that point, and a hash pins the
entry and everything before it. So every committed head must be the hash of some entry of the
database's journal, in the order of the epochs; the first epoch whose head is missing bounds
where the journal was changed: the entries up to the previous epoch's head are those the chain
vouches for, and the change is at the entry after them or a later one of that epoch (a head
pins its entry and every entry before it; which entry of the epoch changed takes the epoch's
entries as published, which the epoch file carries).

Entries after the last committed head are not anchored yet, but none of them may be stamped
with an epoch the chain has finalized: the ledger never stamps an entry with an epoch that has
ended, so such an entry was put there afterwards.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from milestone.ledger.models import JournalEntryRecord
from milestone.ledger.verify import STREAM_ROWS, Problem


@dataclass
class AnchorReport:
    """How the database's journal compares with the heads committed on-chain."""

    epochs: int = 0
    """Epochs finalized on-chain, each with a committed head."""
    anchored_seq: int = 0
    """The last entry the chain vouches for (the last committed head's entry)."""
    problems: list[Problem] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems

    def to_dict(self) -> dict[str, Any]:
        return {
            "ok": self.ok,
            "epochs": self.epochs,
            "anchored_seq": self.anchored_seq,
            "problems": [problem.__dict__ for problem in self.problems],
        }


BlockHead = Callable[[Session, int, bytes], tuple[bytes, int]]
"""Given a session, an epoch and the head committed before it, the head of that epoch's public
block rebuilt from the database and the block's last entry (`epochs.block.read_block_head`)."""


def compare_with_heads(
    session: Session, heads: Sequence[bytes], block_head: BlockHead | None = None
) -> AnchorReport:
    """Check that `heads[e]`, the journal head committed for epoch `e`, is what the database's
    journal gives, epoch after epoch. Read-only.

    Epochs published as epoch file version 1 committed the ledger's own head: the hash of an
    entry at or after the entry of epoch `e − 1`'s head. From version 3 on an epoch commits the
    head of its public block (its entries with owners by address, chained from the previous
    committed head), which `block_head` rebuilds from the database.
    """
    report = AnchorReport(epochs=len(heads))
    wanted = set(heads)
    seq_of: dict[bytes, int] = {}
    for seq, entry_hash in _entries(session):
        if bytes(entry_hash) in wanted:
            seq_of[bytes(entry_hash)] = seq
    previous_seq, previous_head = 0, bytes(32)
    for epoch, head in enumerate(heads):
        seq = seq_of.get(head)
        if seq is None or seq < previous_seq:
            rebuilt, seq = (
                (None, previous_seq)
                if block_head is None
                else block_head(session, epoch, previous_head)
            )
            if rebuilt != head:
                report.problems.append(_differs(epoch, head, previous_seq))
                return report
        previous_seq, previous_head = max(seq, previous_seq), head
    report.anchored_seq = previous_seq
    if heads:
        late = _stamped_after_anchor(session, previous_seq, len(heads) - 1)
        if late is not None:
            seq, epoch = late
            report.problems.append(
                Problem(
                    "entry_after_finalization",
                    f"entry {seq} comes after the head committed for the last finalized epoch "
                    f"but is stamped with epoch {epoch}, which had ended: it was put there later",
                    seq=seq,
                )
            )
    return report


def _differs(epoch: int, head: bytes, previous_seq: int) -> Problem:
    vouched = (
        f"entries 1 to {previous_seq} match the head committed for epoch {epoch - 1}"
        if epoch > 0
        else "no earlier epoch vouches for any entry"
    )
    return Problem(
        "journal_differs_from_chain",
        f"the journal head committed on-chain for epoch {epoch} (0x{head.hex()}) is neither an "
        f"entry's hash nor the head of the epoch's block rebuilt from the database: {vouched}; "
        f"the journal differs from the one the chain "
        f"committed from entry {previous_seq + 1} on (at that entry or a later one of epoch "
        f"{epoch}: a head pins its entry and all before it, not which one changed)",
        seq=previous_seq + 1,
    )


def _entries(session: Session) -> Any:
    return session.execute(
        select(JournalEntryRecord.seq, JournalEntryRecord.hash)
        .order_by(JournalEntryRecord.seq)
        .execution_options(yield_per=STREAM_ROWS)
    )


def _stamped_after_anchor(
    session: Session, anchored_seq: int, last_epoch: int
) -> tuple[int, int] | None:
    row = session.execute(
        select(JournalEntryRecord.seq, JournalEntryRecord.epoch)
        .where(JournalEntryRecord.seq > anchored_seq, JournalEntryRecord.epoch <= last_epoch)
        .order_by(JournalEntryRecord.seq)
        .limit(1)
    ).first()
    return None if row is None else (row.seq, row.epoch)
