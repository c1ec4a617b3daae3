"""Epoch trees stored at settlement: every node of each epoch's state and rewards trees, so a
proof is read, never rebuilt.

Epochs settled before this revision have no stored nodes; their proofs are still built from
their epoch files (`milestone.epochs.proofs`).

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-04
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0017"
down_revision = "0016"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "epoch_tree_node",
        sa.Column("epoch", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("tree", sa.String(length=8), nullable=False),
        sa.Column("node", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("hash", sa.LargeBinary(length=32), nullable=False),
        sa.Column("address", sa.LargeBinary(length=20), nullable=True),
        sa.Column("amount", sa.BigInteger(), nullable=True),
        sa.PrimaryKeyConstraint("epoch", "tree", "node", name=op.f("pk_epoch_tree_node")),
        sqlite_with_rowid=False,
    )
    with op.batch_alter_table("epoch_tree_node", schema=None) as batch_op:
        batch_op.create_index(
            "ix_epoch_tree_node_leaf", ["epoch", "tree", "address"], unique=False
        )


def downgrade() -> None:
    op.drop_table("epoch_tree_node")
