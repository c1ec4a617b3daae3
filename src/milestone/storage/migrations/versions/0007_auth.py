"""API users: owners, operators and auditors with argon2 password hashes and roles.

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-22
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "auth_user",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("username", sa.String(length=64), nullable=False),
        sa.Column("password_hash", sa.String(length=256), nullable=False),
        sa.Column("role", sa.String(length=16), nullable=False),
        sa.Column("owner_id", sa.BigInteger(), nullable=True),
        sa.Column("created_at", sa.BigInteger(), nullable=False),
        sa.Column("disabled_at", sa.BigInteger(), nullable=True),
        sa.CheckConstraint(
            "role IN ('owner', 'operator', 'auditor')", name=op.f("ck_auth_user_known_role")
        ),
        sa.CheckConstraint(
            "(role = 'owner') = (owner_id IS NOT NULL)",
            name=op.f("ck_auth_user_owner_iff_owner_role"),
        ),
        sa.ForeignKeyConstraint(
            ["owner_id"], ["owner.id"], name=op.f("fk_auth_user_owner_id_owner")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_auth_user")),
        sa.UniqueConstraint("owner_id", name=op.f("uq_auth_user_owner_id")),
        sa.UniqueConstraint("username", name=op.f("uq_auth_user_username")),
    )


def downgrade() -> None:
    op.drop_table("auth_user")
