"""An account's lifetime flows by kind of transaction: what came in and what went out.

The wallet shows "earned so far" from these, summed by the database over every posting the
account ever had, never from the page of history a browser happens to hold.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import case, func, select
from sqlalchemy.orm import Session

from milestone.ledger.accounts import Asset
from milestone.ledger.models import JournalEntryRecord, PostingRecord


@dataclass(frozen=True)
class Flow:
    """The pebbles (or fen) one kind of transaction moved into and out of an account."""

    kind: str
    credited: int
    """The sum of its positive postings."""
    debited: int
    """The sum of its negative postings, as a positive number."""

    @property
    def net(self) -> int:
        return self.credited - self.debited


def flows_of(session: Session, account: str, asset: Asset = Asset.STONE) -> list[Flow]:
    """Every kind that ever moved `asset` in `account`, with its lifetime sums, by kind.

    The credits less the debits of all kinds equal the account's balance, since the balance is
    the sum of its postings (a property test holds this).
    """
    credit = case((PostingRecord.amount > 0, PostingRecord.amount), else_=0)
    debit = case((PostingRecord.amount < 0, -PostingRecord.amount), else_=0)
    rows = session.execute(
        select(JournalEntryRecord.kind, func.sum(credit), func.sum(debit))
        .join(JournalEntryRecord, JournalEntryRecord.seq == PostingRecord.entry_seq)
        .where(PostingRecord.account == account, PostingRecord.asset == asset.value)
        .group_by(JournalEntryRecord.kind)
        .order_by(JournalEntryRecord.kind)
    )
    return [Flow(kind, int(credited or 0), int(debited or 0)) for kind, credited, debited in rows]
