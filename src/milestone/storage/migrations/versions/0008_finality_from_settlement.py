"""Finality is the settled epoch's status: the `finalized_epoch` table of the dividends goes.

Settlement marks an epoch `finalized` in `epoch` in the same transaction that recorded it in
`finalized_epoch`, so the table repeated what `epoch` says; a downgrade rebuilds it from there.

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-22
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.drop_table("finalized_epoch")


def downgrade() -> None:
    op.create_table(
        "finalized_epoch",
        sa.Column("epoch", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("finalized_at", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("epoch", name=op.f("pk_finalized_epoch")),
    )
    op.execute(
        "INSERT INTO finalized_epoch (epoch, finalized_at) "
        "SELECT epoch, finalized_at FROM epoch WHERE status = 'finalized'"
    )
