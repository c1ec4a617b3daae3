"""Program and ledger: the program row, accounts, balances, the journal and its head.

Revision ID: 0001
Revises:
Create Date: 2026-11-22
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None

ZERO_HASH = bytes(32)


def upgrade() -> None:
    op.create_table(
        "program",
        sa.Column("id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("preset", sa.String(length=64), nullable=False),
        sa.Column("parameters", sa.Text(), nullable=False),
        sa.Column("parameters_hash", sa.LargeBinary(length=32), nullable=False),
        sa.Column("genesis", sa.BigInteger(), nullable=False),
        sa.Column("epoch_seconds", sa.BigInteger(), nullable=False),
        sa.Column("total_supply", sa.BigInteger(), nullable=False),
        sa.Column("created_at", sa.BigInteger(), nullable=False),
        sa.Column("pseudonym_salt", sa.LargeBinary(length=32), nullable=False),
        sa.CheckConstraint("id = 1", name=op.f("ck_program_single_row")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_program")),
    )
    op.create_table(
        "ledger_account",
        sa.Column("name", sa.String(length=64), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("opened_at", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("name", name=op.f("pk_ledger_account")),
    )
    op.create_index(op.f("ix_ledger_account_kind"), "ledger_account", ["kind"])
    op.create_table(
        "ledger_balance",
        sa.Column("account", sa.String(length=64), nullable=False),
        sa.Column("asset", sa.String(length=8), nullable=False),
        sa.Column("balance", sa.BigInteger(), nullable=False),
        sa.CheckConstraint(
            "balance >= 0 OR account = 'supply'", name=op.f("ck_ledger_balance_not_negative")
        ),
        sa.ForeignKeyConstraint(
            ["account"],
            ["ledger_account.name"],
            name=op.f("fk_ledger_balance_account_ledger_account"),
        ),
        sa.PrimaryKeyConstraint("account", "asset", name=op.f("pk_ledger_balance")),
    )
    op.create_table(
        "journal_entry",
        sa.Column("seq", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("idempotency_key", sa.String(length=128), nullable=False),
        sa.Column("created_at", sa.BigInteger(), nullable=False),
        sa.Column("epoch", sa.BigInteger(), nullable=False),
        sa.Column("metadata", sa.Text(), nullable=False),
        sa.Column("prev_hash", sa.LargeBinary(length=32), nullable=False),
        sa.Column("hash", sa.LargeBinary(length=32), nullable=False),
        sa.CheckConstraint("seq >= 1", name=op.f("ck_journal_entry_seq_positive")),
        sa.PrimaryKeyConstraint("seq", name=op.f("pk_journal_entry")),
        sa.UniqueConstraint("hash", name=op.f("uq_journal_entry_hash")),
        sa.UniqueConstraint("idempotency_key", name=op.f("uq_journal_entry_idempotency_key")),
    )
    op.create_index(op.f("ix_journal_entry_epoch"), "journal_entry", ["epoch"])
    op.create_table(
        "journal_posting",
        sa.Column("entry_seq", sa.BigInteger(), nullable=False),
        sa.Column("position", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("account", sa.String(length=64), nullable=False),
        sa.Column("asset", sa.String(length=8), nullable=False),
        sa.Column("amount", sa.BigInteger(), nullable=False),
        sa.Column("balance_after", sa.BigInteger(), nullable=False),
        sa.CheckConstraint("amount <> 0", name=op.f("ck_journal_posting_amount_not_zero")),
        sa.ForeignKeyConstraint(
            ["account"],
            ["ledger_account.name"],
            name=op.f("fk_journal_posting_account_ledger_account"),
        ),
        sa.ForeignKeyConstraint(
            ["entry_seq"],
            ["journal_entry.seq"],
            name=op.f("fk_journal_posting_entry_seq_journal_entry"),
        ),
        sa.PrimaryKeyConstraint("entry_seq", "position", name=op.f("pk_journal_posting")),
    )
    op.create_index(
        "ix_journal_posting_account_history",
        "journal_posting",
        ["account", "asset", "entry_seq", "position"],
    )
    head = op.create_table(
        "journal_head",
        sa.Column("id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("seq", sa.BigInteger(), nullable=False),
        sa.Column("hash", sa.LargeBinary(length=32), nullable=False),
        sa.Column("created_at", sa.BigInteger(), nullable=False),
        sa.CheckConstraint("id = 1", name=op.f("ck_journal_head_single_row")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_journal_head")),
    )
    # The head exists from the start, so every writer has a row to lock, even the first.
    op.bulk_insert(head, [{"id": 1, "seq": 0, "hash": ZERO_HASH, "created_at": 0}])


def downgrade() -> None:
    op.drop_table("journal_head")
    op.drop_index("ix_journal_posting_account_history", table_name="journal_posting")
    op.drop_table("journal_posting")
    op.drop_index(op.f("ix_journal_entry_epoch"), table_name="journal_entry")
    op.drop_table("journal_entry")
    op.drop_table("ledger_balance")
    op.drop_index(op.f("ix_ledger_account_kind"), table_name="ledger_account")
    op.drop_table("ledger_account")
    op.drop_table("program")
