"""Settlement: epochs and their steps, frozen weights, drops, rewards, flows, owner state
and balance history, and attestations.

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-22 08:06:25.223322
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "epoch",
        sa.Column("epoch", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("started_at", sa.BigInteger(), nullable=False),
        sa.Column("finalized_at", sa.BigInteger(), nullable=True),
        sa.Column("inputs_cutoff", sa.BigInteger(), nullable=False),
        sa.Column("scheduled", sa.BigInteger(), nullable=False),
        sa.Column("rollover_in", sa.BigInteger(), nullable=False),
        sa.Column("rollover_out", sa.BigInteger(), nullable=True),
        sa.Column("paid", sa.BigInteger(), nullable=True),
        sa.Column("weights_root", sa.LargeBinary(length=32), nullable=False),
        sa.Column("total_weight", sa.BigInteger(), nullable=False),
        sa.Column("seed", sa.LargeBinary(length=32), nullable=True),
        sa.Column("rewards_root", sa.LargeBinary(length=32), nullable=True),
        sa.Column("state_root", sa.LargeBinary(length=32), nullable=True),
        sa.Column("journal_seq", sa.BigInteger(), nullable=True),
        sa.Column("journal_head", sa.LargeBinary(length=32), nullable=True),
        sa.Column("file_hash", sa.LargeBinary(length=32), nullable=True),
        sa.Column("cum_mined", sa.BigInteger(), nullable=True),
        sa.Column("cum_activity", sa.BigInteger(), nullable=True),
        sa.Column("cum_burned", sa.BigInteger(), nullable=True),
        sa.Column("cum_dividends_fen", sa.BigInteger(), nullable=True),
        sa.Column("dividends_root", sa.LargeBinary(length=32), nullable=True),
        sa.Column("dividends_fen", sa.BigInteger(), nullable=True),
        sa.PrimaryKeyConstraint("epoch", name=op.f("pk_epoch")),
    )
    op.create_table(
        "epoch_attestation",
        sa.Column("epoch", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("attestor", sa.LargeBinary(length=20), nullable=False),
        sa.Column("signature", sa.LargeBinary(length=65), nullable=False),
        sa.Column("added_at", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("epoch", "attestor", name=op.f("pk_epoch_attestation")),
    )
    op.create_table(
        "epoch_drop",
        sa.Column("epoch", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("round", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("owner_id", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("amount", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("epoch", "round", "owner_id", name=op.f("pk_epoch_drop")),
    )
    with op.batch_alter_table("epoch_drop", schema=None) as batch_op:
        batch_op.create_index("ix_epoch_drop_owner_epoch", ["owner_id", "epoch"], unique=False)

    op.create_table(
        "epoch_flow",
        sa.Column("epoch", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("owner_id", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("address", sa.LargeBinary(length=20), nullable=False),
        sa.Column("amount", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("epoch", "owner_id", "kind", name=op.f("pk_epoch_flow")),
    )
    op.create_table(
        "epoch_reward",
        sa.Column("epoch", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("owner_id", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("address", sa.LargeBinary(length=20), nullable=False),
        sa.Column("amount", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("epoch", "owner_id", name=op.f("pk_epoch_reward")),
    )
    with op.batch_alter_table("epoch_reward", schema=None) as batch_op:
        batch_op.create_index("ix_epoch_reward_owner_epoch", ["owner_id", "epoch"], unique=False)

    op.create_table(
        "epoch_step",
        sa.Column("epoch", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("step", sa.String(length=24), nullable=False),
        sa.Column("done_at", sa.BigInteger(), nullable=False),
        sa.Column("detail", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("epoch", "step", name=op.f("pk_epoch_step")),
    )
    op.create_table(
        "epoch_weight",
        sa.Column("epoch", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("round", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("owner_id", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("address", sa.LargeBinary(length=20), nullable=False),
        sa.Column("weight", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("epoch", "round", "owner_id", name=op.f("pk_epoch_weight")),
    )
    op.create_table(
        "owner_balance",
        sa.Column("owner_id", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("epoch", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("address", sa.LargeBinary(length=20), nullable=False),
        sa.Column("balance", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("owner_id", "epoch", name=op.f("pk_owner_balance")),
    )
    op.create_table(
        "owner_state",
        sa.Column("owner_id", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("address", sa.LargeBinary(length=20), nullable=False),
        sa.Column("balance", sa.BigInteger(), nullable=False),
        sa.Column("epoch", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("owner_id", name=op.f("pk_owner_state")),
        sa.UniqueConstraint("address", name=op.f("uq_owner_state_address")),
    )


def downgrade() -> None:
    op.drop_table("owner_state")
    op.drop_table("owner_balance")
    op.drop_table("epoch_weight")
    op.drop_table("epoch_step")
    with op.batch_alter_table("epoch_reward", schema=None) as batch_op:
        batch_op.drop_index("ix_epoch_reward_owner_epoch")

    op.drop_table("epoch_reward")
    op.drop_table("epoch_flow")
    with op.batch_alter_table("epoch_drop", schema=None) as batch_op:
        batch_op.drop_index("ix_epoch_drop_owner_epoch")

    op.drop_table("epoch_drop")
    op.drop_table("epoch_attestation")
    op.drop_table("epoch")
