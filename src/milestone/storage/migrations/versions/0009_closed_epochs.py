"""Closed epochs: the epochs settlement has frozen, which the telemetry intake refuses.

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-22
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "closed_epoch",
        sa.Column("epoch", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("inputs_cutoff", sa.BigInteger(), nullable=False),
        sa.Column("closed_at", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("epoch", name=op.f("pk_closed_epoch")),
    )
    # Epochs frozen before this revision are closed as well.
    op.execute(
        "INSERT INTO closed_epoch (epoch, inputs_cutoff, closed_at) "
        "SELECT epoch, inputs_cutoff, started_at FROM epoch"
    )


def downgrade() -> None:
    op.drop_table("closed_epoch")
