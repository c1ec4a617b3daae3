"""Activities: released activity budget, owner standing, check-ins, referral codes, sales
systems, referrals, campaigns with their codes and participations.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-22
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

# SQLite auto-increments only an INTEGER PRIMARY KEY; PostgreSQL gets a 64-bit identity.
ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "activity_release",
        sa.Column("epoch", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("amount", sa.BigInteger(), nullable=False),
        sa.Column("released_at", sa.BigInteger(), nullable=False),
        sa.Column("entry_seq", sa.BigInteger(), nullable=True),
        sa.CheckConstraint("amount >= 0", name=op.f("ck_activity_release_amount_not_negative")),
        sa.PrimaryKeyConstraint("epoch", name=op.f("pk_activity_release")),
    )
    op.create_table(
        "campaign",
        sa.Column("id", ID, autoincrement=True, nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("budget", sa.BigInteger(), nullable=False),
        sa.Column("reward", sa.BigInteger(), nullable=False),
        sa.Column("per_owner_cap", sa.Integer(), nullable=False),
        sa.Column("proof", sa.String(length=16), nullable=False),
        sa.Column("starts_at", sa.BigInteger(), nullable=False),
        sa.Column("ends_at", sa.BigInteger(), nullable=False),
        sa.Column("created_at", sa.BigInteger(), nullable=False),
        sa.Column("closed_at", sa.BigInteger(), nullable=True),
        sa.Column("returned", sa.BigInteger(), nullable=True),
        sa.CheckConstraint(
            "budget > 0 AND reward > 0 AND reward <= budget", name=op.f("ck_campaign_amounts")
        ),
        sa.CheckConstraint("per_owner_cap > 0", name=op.f("ck_campaign_cap_positive")),
        sa.CheckConstraint("starts_at < ends_at", name=op.f("ck_campaign_window")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_campaign")),
        sa.UniqueConstraint("name", name=op.f("uq_campaign_name")),
    )
    op.create_table(
        "sales_system",
        sa.Column("id", ID, autoincrement=True, nullable=False),
        sa.Column("name", sa.String(length=64), nullable=False),
        sa.Column("public_key", sa.LargeBinary(length=32), nullable=False),
        sa.Column("api_key_id", sa.String(length=16), nullable=False),
        sa.Column("api_key_hash", sa.LargeBinary(length=32), nullable=False),
        sa.Column("registered_at", sa.BigInteger(), nullable=False),
        sa.Column("revoked_at", sa.BigInteger(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sales_system")),
        sa.UniqueConstraint("api_key_id", name=op.f("uq_sales_system_api_key_id")),
        sa.UniqueConstraint("name", name=op.f("uq_sales_system_name")),
        sa.UniqueConstraint("public_key", name=op.f("uq_sales_system_public_key")),
    )
    op.create_table(
        "campaign_code",
        sa.Column("code_hash", sa.LargeBinary(length=32), nullable=False),
        sa.Column("campaign_id", ID, nullable=False),
        sa.Column("created_at", sa.BigInteger(), nullable=False),
        sa.Column("used_by", ID, nullable=True),
        sa.Column("used_at", sa.BigInteger(), nullable=True),
        sa.ForeignKeyConstraint(
            ["campaign_id"], ["campaign.id"], name=op.f("fk_campaign_code_campaign_id_campaign")
        ),
        sa.ForeignKeyConstraint(
            ["used_by"], ["owner.id"], name=op.f("fk_campaign_code_used_by_owner")
        ),
        sa.PrimaryKeyConstraint("code_hash", name=op.f("pk_campaign_code")),
    )
    with op.batch_alter_table("campaign_code", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_campaign_code_campaign_id"), ["campaign_id"], unique=False
        )

    op.create_table(
        "campaign_participation",
        sa.Column("id", ID, autoincrement=True, nullable=False),
        sa.Column("campaign_id", ID, nullable=False),
        sa.Column("owner_id", ID, nullable=False),
        sa.Column("proof", sa.String(length=100), nullable=False),
        sa.Column("reward", sa.BigInteger(), nullable=False),
        sa.Column("participated_at", sa.BigInteger(), nullable=False),
        sa.Column("entry_seq", sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(
            ["campaign_id"],
            ["campaign.id"],
            name=op.f("fk_campaign_participation_campaign_id_campaign"),
        ),
        sa.ForeignKeyConstraint(
            ["owner_id"], ["owner.id"], name=op.f("fk_campaign_participation_owner_id_owner")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_campaign_participation")),
        sa.UniqueConstraint(
            "campaign_id", "proof", name=op.f("uq_campaign_participation_campaign_id")
        ),
    )
    with op.batch_alter_table("campaign_participation", schema=None) as batch_op:
        batch_op.create_index(
            "ix_campaign_participation_owner", ["campaign_id", "owner_id"], unique=False
        )

    op.create_table(
        "checkin",
        sa.Column("id", ID, autoincrement=True, nullable=False),
        sa.Column("owner_id", ID, nullable=False),
        sa.Column("day", sa.BigInteger(), nullable=False),
        sa.Column("streak", sa.Integer(), nullable=False),
        sa.Column("reward", sa.BigInteger(), nullable=False),
        sa.Column("checked_in_at", sa.BigInteger(), nullable=False),
        sa.Column("entry_seq", sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(["owner_id"], ["owner.id"], name=op.f("fk_checkin_owner_id_owner")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_checkin")),
        sa.UniqueConstraint("owner_id", "day", name=op.f("uq_checkin_owner_id")),
    )
    op.create_table(
        "owner_standing",
        sa.Column("owner_id", ID, autoincrement=False, nullable=False),
        sa.Column("certified_at", sa.BigInteger(), nullable=True),
        sa.Column("revoked_at", sa.BigInteger(), nullable=True),
        sa.Column("revoke_reason", sa.String(length=200), nullable=True),
        sa.ForeignKeyConstraint(
            ["owner_id"], ["owner.id"], name=op.f("fk_owner_standing_owner_id_owner")
        ),
        sa.PrimaryKeyConstraint("owner_id", name=op.f("pk_owner_standing")),
    )
    op.create_table(
        "referral",
        sa.Column("id", ID, autoincrement=True, nullable=False),
        sa.Column("order_id", sa.String(length=64), nullable=False),
        sa.Column("code", sa.String(length=16), nullable=False),
        sa.Column("referrer_id", ID, nullable=False),
        sa.Column("buyer_id", ID, nullable=False),
        sa.Column("registered_at", sa.BigInteger(), nullable=False),
        sa.Column("vin", sa.String(length=17), nullable=True),
        sa.Column("delivered_at", sa.BigInteger(), nullable=True),
        sa.Column("confirmed_at", sa.BigInteger(), nullable=True),
        sa.Column("sales_system_id", ID, nullable=True),
        sa.Column("signature", sa.LargeBinary(length=64), nullable=True),
        sa.Column("buyer_reward", sa.BigInteger(), nullable=True),
        sa.Column("referrer_reward", sa.BigInteger(), nullable=True),
        sa.Column("referrer_outcome", sa.String(length=24), nullable=True),
        sa.Column("reward_year", sa.Integer(), nullable=True),
        sa.Column("vests_at", sa.BigInteger(), nullable=True),
        sa.Column("entry_seq", sa.BigInteger(), nullable=True),
        sa.ForeignKeyConstraint(
            ["buyer_id"], ["owner.id"], name=op.f("fk_referral_buyer_id_owner")
        ),
        sa.ForeignKeyConstraint(
            ["referrer_id"], ["owner.id"], name=op.f("fk_referral_referrer_id_owner")
        ),
        sa.ForeignKeyConstraint(
            ["sales_system_id"],
            ["sales_system.id"],
            name=op.f("fk_referral_sales_system_id_sales_system"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_referral")),
        sa.UniqueConstraint("order_id", name=op.f("uq_referral_order_id")),
        sa.UniqueConstraint("vin", name=op.f("uq_referral_vin")),
    )
    with op.batch_alter_table("referral", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_referral_buyer_id"), ["buyer_id"], unique=False)
        batch_op.create_index(
            "ix_referral_referrer_confirmed", ["referrer_id", "confirmed_at"], unique=False
        )

    op.create_table(
        "referral_code",
        sa.Column("code", sa.String(length=16), nullable=False),
        sa.Column("owner_id", ID, nullable=False),
        sa.Column("created_at", sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(
            ["owner_id"], ["owner.id"], name=op.f("fk_referral_code_owner_id_owner")
        ),
        sa.PrimaryKeyConstraint("code", name=op.f("pk_referral_code")),
        sa.UniqueConstraint("owner_id", name=op.f("uq_referral_code_owner_id")),
    )


def downgrade() -> None:
    op.drop_table("referral_code")
    with op.batch_alter_table("referral", schema=None) as batch_op:
        batch_op.drop_index("ix_referral_referrer_confirmed")
        batch_op.drop_index(batch_op.f("ix_referral_buyer_id"))

    op.drop_table("referral")
    op.drop_table("owner_standing")
    op.drop_table("checkin")
    with op.batch_alter_table("campaign_participation", schema=None) as batch_op:
        batch_op.drop_index("ix_campaign_participation_owner")

    op.drop_table("campaign_participation")
    with op.batch_alter_table("campaign_code", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_campaign_code_campaign_id"))

    op.drop_table("campaign_code")
    op.drop_table("sales_system")
    op.drop_table("campaign")
    op.drop_table("activity_release")
