"""The dividend record epoch each epoch commits on-chain beside the entitlements root.

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-04
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("epoch", sa.Column("dividend_record_epoch", sa.BigInteger(), nullable=True))
    # Epochs settled before this revision: the record epoch of the dividend assigned to them.
    op.execute(
        "UPDATE epoch SET dividend_record_epoch = ("
        "SELECT dividend.record_epoch FROM dividend WHERE dividend.committed_epoch = epoch.epoch)"
    )


def downgrade() -> None:
    with op.batch_alter_table("epoch") as batch:
        batch.drop_column("dividend_record_epoch")
