"""API credentials: users with password hashes and roles, API keys by digest.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-22
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
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
    op.create_table(
        "auth_api_key",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("digest", sa.LargeBinary(length=32), nullable=False),
        sa.Column("prefix", sa.String(length=16), nullable=False),
        sa.Column("holder", sa.String(length=16), nullable=False),
        sa.Column("merchant_id", sa.BigInteger(), nullable=True),
        sa.Column("label", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.BigInteger(), nullable=False),
        sa.Column("revoked_at", sa.BigInteger(), nullable=True),
        sa.CheckConstraint(
            "holder IN ('merchant', 'sales')", name=op.f("ck_auth_api_key_known_holder")
        ),
        sa.CheckConstraint(
            "(holder = 'merchant') = (merchant_id IS NOT NULL)",
            name=op.f("ck_auth_api_key_merchant_iff_merchant_key"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_auth_api_key")),
        sa.UniqueConstraint("digest", name=op.f("uq_auth_api_key_digest")),
    )
    op.create_index(op.f("ix_auth_api_key_merchant_id"), "auth_api_key", ["merchant_id"])


def downgrade() -> None:
    op.drop_index(op.f("ix_auth_api_key_merchant_id"), table_name="auth_api_key")
    op.drop_table("auth_api_key")
    op.drop_table("auth_user")
