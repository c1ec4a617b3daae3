"""Tables of the journal: accounts, balances, entries, postings, and the head of the hash chain.

Postings are the source of truth; `ledger_balance` is kept in the same transaction as the
postings so a balance is one row read, and `milestone ledger verify` checks it still equals the
sum. Each posting also records the account's balance after it, which makes the balance at the
end of any epoch a single indexed lookup.
"""

from __future__ import annotations

from sqlalchemy import (
    BigInteger,
    CheckConstraint,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    Text,
)
from sqlalchemy.orm import Mapped, mapped_column

from milestone.storage.base import Base

HEAD_ID = 1


class AccountRecord(Base):
    """An account opened in the ledger; postings may name only open accounts."""

    __tablename__ = "ledger_account"

    name: Mapped[str] = mapped_column(String(64), primary_key=True)
    kind: Mapped[str] = mapped_column(String(16), index=True)
    opened_at: Mapped[int] = mapped_column(BigInteger)


class BalanceRecord(Base):
    """The current balance of one asset in one account: the sum of its postings."""

    __tablename__ = "ledger_balance"
    __table_args__ = (
        # The last line of defence: only the genesis contra account may go below zero.
        CheckConstraint("balance >= 0 OR account = 'supply'", name="not_negative"),
    )

    account: Mapped[str] = mapped_column(ForeignKey("ledger_account.name"), primary_key=True)
    asset: Mapped[str] = mapped_column(String(8), primary_key=True)
    balance: Mapped[int] = mapped_column(BigInteger)


class JournalEntryRecord(Base):
    """One journal transaction, chained to its predecessor by `prev_hash`."""

    __tablename__ = "journal_entry"
    __table_args__ = (CheckConstraint("seq >= 1", name="seq_positive"),)

    seq: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    kind: Mapped[str] = mapped_column(String(32))
    idempotency_key: Mapped[str] = mapped_column(String(128), unique=True)
    # Indexed for the unlock sweep, which reads the entries of a window of time.
    created_at: Mapped[int] = mapped_column(BigInteger, index=True)
    epoch: Mapped[int] = mapped_column(BigInteger, index=True)
    metadata_json: Mapped[str] = mapped_column("metadata", Text)
    prev_hash: Mapped[bytes] = mapped_column(LargeBinary(32))
    hash: Mapped[bytes] = mapped_column(LargeBinary(32), unique=True)


class PostingRecord(Base):
    """One signed movement of an asset in an account, part of one journal entry."""

    __tablename__ = "journal_posting"
    __table_args__ = (
        CheckConstraint("amount <> 0", name="amount_not_zero"),
        Index("ix_journal_posting_account_history", "account", "asset", "entry_seq", "position"),
    )

    entry_seq: Mapped[int] = mapped_column(ForeignKey("journal_entry.seq"), primary_key=True)
    position: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    account: Mapped[str] = mapped_column(ForeignKey("ledger_account.name"))
    asset: Mapped[str] = mapped_column(String(8))
    amount: Mapped[int] = mapped_column(BigInteger)
    balance_after: Mapped[int] = mapped_column(BigInteger)


class JournalHeadRecord(Base):
    """The single row every writer locks: the last entry's sequence number, hash and time."""

    __tablename__ = "journal_head"
    __table_args__ = (CheckConstraint(f"id = {HEAD_ID}", name="single_row"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    seq: Mapped[int] = mapped_column(BigInteger)
    hash: Mapped[bytes] = mapped_column(LargeBinary(32))
    created_at: Mapped[int] = mapped_column(BigInteger)
