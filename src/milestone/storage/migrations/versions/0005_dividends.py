"""Dividends: finalized epochs (until settlement owns them), declared dividends and their
entitlements.

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-22
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

# SQLite auto-increments only an INTEGER PRIMARY KEY; PostgreSQL gets a 64-bit identity.
ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "dividend",
        sa.Column("id", ID, autoincrement=True, nullable=False),
        sa.Column("declare_key", sa.String(length=64), nullable=False),
        sa.Column("amount_fen", sa.BigInteger(), nullable=False),
        sa.Column("record_epoch", sa.BigInteger(), nullable=False),
        sa.Column("payment_date", sa.String(length=10), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("declared_at", sa.BigInteger(), nullable=False),
        sa.Column("circulating", sa.BigInteger(), nullable=False),
        sa.Column("holders", sa.Integer(), nullable=False),
        sa.Column("root", sa.LargeBinary(length=32), nullable=False),
        sa.Column("committed_epoch", sa.BigInteger(), nullable=True),
        sa.CheckConstraint("amount_fen > 0", name=op.f("ck_dividend_amount_positive")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_dividend")),
        sa.UniqueConstraint("committed_epoch", name=op.f("uq_dividend_committed_epoch")),
        sa.UniqueConstraint("declare_key", name=op.f("uq_dividend_declare_key")),
    )
    op.create_table(
        "finalized_epoch",
        sa.Column("epoch", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("finalized_at", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("epoch", name=op.f("pk_finalized_epoch")),
    )
    op.create_table(
        "dividend_entitlement",
        sa.Column("dividend_id", ID, nullable=False),
        sa.Column("owner_id", ID, nullable=False),
        sa.Column("address", sa.LargeBinary(length=20), nullable=False),
        sa.Column("balance", sa.BigInteger(), nullable=False),
        sa.Column("amount_fen", sa.BigInteger(), nullable=False),
        sa.Column("paid_at", sa.BigInteger(), nullable=True),
        sa.Column("rail_reference", sa.String(length=64), nullable=True),
        sa.CheckConstraint("amount_fen > 0", name=op.f("ck_dividend_entitlement_amount_positive")),
        sa.ForeignKeyConstraint(
            ["dividend_id"],
            ["dividend.id"],
            name=op.f("fk_dividend_entitlement_dividend_id_dividend"),
        ),
        sa.ForeignKeyConstraint(
            ["owner_id"], ["owner.id"], name=op.f("fk_dividend_entitlement_owner_id_owner")
        ),
        sa.PrimaryKeyConstraint("dividend_id", "owner_id", name=op.f("pk_dividend_entitlement")),
    )


def downgrade() -> None:
    op.drop_table("dividend_entitlement")
    op.drop_table("finalized_epoch")
    op.drop_table("dividend")
