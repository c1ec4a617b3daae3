"""Registry, consent and telemetry: owners, vehicles and keys, ownership, consent receipts and
grants, deletion receipts, trips with their per-round meters, rejections, vehicle cursors.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-22
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "owner",
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.Column("address", sa.LargeBinary(length=20), nullable=True),
        sa.Column("created_at", sa.BigInteger(), nullable=False),
        sa.Column("phone_hash", sa.LargeBinary(length=32), nullable=True),
        sa.Column("payment_hash", sa.LargeBinary(length=32), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_owner")),
        sa.UniqueConstraint("address", name=op.f("uq_owner_address")),
    )
    with op.batch_alter_table("owner", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_owner_payment_hash"), ["payment_hash"], unique=False)
        batch_op.create_index(batch_op.f("ix_owner_phone_hash"), ["phone_hash"], unique=False)

    op.create_table(
        "trip",
        sa.Column("vehicle_id", sa.BigInteger(), nullable=False),
        sa.Column("sequence", sa.BigInteger(), nullable=False),
        sa.Column("report_hash", sa.LargeBinary(length=32), nullable=False),
        sa.Column("owner_id", sa.BigInteger(), nullable=False),
        sa.Column("report_trip_id", sa.LargeBinary(length=16), nullable=False),
        sa.Column("distance_m", sa.BigInteger(), nullable=False),
        sa.Column("counted_m", sa.BigInteger(), nullable=False),
        sa.Column("received_at", sa.BigInteger(), nullable=False),
        sa.Column("started_at", sa.BigInteger(), nullable=True),
        sa.Column("ended_at", sa.BigInteger(), nullable=True),
        sa.Column("odometer_start_m", sa.BigInteger(), nullable=True),
        sa.Column("odometer_end_m", sa.BigInteger(), nullable=True),
        sa.Column("firmware", sa.String(length=16), nullable=True),
        sa.Column("envelope", sa.LargeBinary(), nullable=True),
        sa.Column("raw_erased_at", sa.BigInteger(), nullable=True),
        sa.Column("harsh_brakes", sa.BigInteger(), nullable=True),
        sa.Column("harsh_accelerations", sa.BigInteger(), nullable=True),
        sa.Column("speeding_seconds", sa.BigInteger(), nullable=True),
        sa.PrimaryKeyConstraint("vehicle_id", "sequence", name=op.f("pk_trip")),
        sa.UniqueConstraint("report_hash", name=op.f("uq_trip_report_hash")),
        sa.UniqueConstraint("report_trip_id", "vehicle_id", name=op.f("uq_trip_report_trip_id")),
    )
    op.create_table(
        "trip_rejection",
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.Column("report_hash", sa.LargeBinary(length=32), nullable=False),
        sa.Column("received_at", sa.BigInteger(), nullable=False),
        sa.Column("code", sa.String(length=32), nullable=False),
        sa.Column("detail", sa.String(length=300), nullable=False),
        sa.Column("vehicle_id", sa.BigInteger(), nullable=True),
        sa.Column("owner_id", sa.BigInteger(), nullable=True),
        sa.Column("sequence", sa.BigInteger(), nullable=True),
        sa.Column("report_trip_id", sa.LargeBinary(length=16), nullable=True),
        sa.Column("envelope", sa.LargeBinary(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_trip_rejection")),
        sa.UniqueConstraint("report_hash", name=op.f("uq_trip_rejection_report_hash")),
    )
    with op.batch_alter_table("trip_rejection", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_trip_rejection_code"), ["code"], unique=False)
        batch_op.create_index(
            "ix_trip_rejection_vehicle_received", ["vehicle_id", "received_at"], unique=False
        )

    op.create_table(
        "trip_round",
        sa.Column("epoch", sa.BigInteger(), nullable=False),
        sa.Column("vehicle_id", sa.BigInteger(), nullable=False),
        sa.Column("round", sa.Integer(), nullable=False),
        sa.Column("sequence", sa.BigInteger(), nullable=False),
        sa.Column("owner_id", sa.BigInteger(), nullable=False),
        sa.Column("meters", sa.BigInteger(), nullable=False),
        sa.Column("behaviour_bps", sa.Integer(), nullable=True),
        sa.PrimaryKeyConstraint(
            "epoch", "vehicle_id", "round", "sequence", name=op.f("pk_trip_round")
        ),
        sqlite_with_rowid=False,
    )
    op.create_table(
        "vehicle",
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.Column("vin", sa.String(length=17), nullable=False),
        sa.Column("vin_hash", sa.LargeBinary(length=32), nullable=False),
        sa.Column("model", sa.String(length=64), nullable=True),
        sa.Column("registered_at", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_vehicle")),
        sa.UniqueConstraint("vin", name=op.f("uq_vehicle_vin")),
        sa.UniqueConstraint("vin_hash", name=op.f("uq_vehicle_vin_hash")),
    )
    op.create_table(
        "consent_receipt",
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.Column("owner_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column(
            "vehicle_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False
        ),
        sa.Column("scope", sa.String(length=32), nullable=False),
        sa.Column("action", sa.String(length=8), nullable=False),
        sa.Column("at", sa.BigInteger(), nullable=False),
        sa.Column("terms_version", sa.String(length=32), nullable=False),
        sa.Column("prev_hash", sa.LargeBinary(length=32), nullable=False),
        sa.Column("hash", sa.LargeBinary(length=32), nullable=False),
        sa.ForeignKeyConstraint(
            ["owner_id"], ["owner.id"], name=op.f("fk_consent_receipt_owner_id_owner")
        ),
        sa.ForeignKeyConstraint(
            ["vehicle_id"], ["vehicle.id"], name=op.f("fk_consent_receipt_vehicle_id_vehicle")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_consent_receipt")),
        sa.UniqueConstraint("hash", name=op.f("uq_consent_receipt_hash")),
    )
    with op.batch_alter_table("consent_receipt", schema=None) as batch_op:
        batch_op.create_index(
            "ix_consent_receipt_owner_vehicle", ["owner_id", "vehicle_id"], unique=False
        )

    op.create_table(
        "ownership",
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.Column(
            "vehicle_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False
        ),
        sa.Column("owner_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("started_at", sa.BigInteger(), nullable=False),
        sa.Column("ended_at", sa.BigInteger(), nullable=True),
        sa.ForeignKeyConstraint(
            ["owner_id"], ["owner.id"], name=op.f("fk_ownership_owner_id_owner")
        ),
        sa.ForeignKeyConstraint(
            ["vehicle_id"], ["vehicle.id"], name=op.f("fk_ownership_vehicle_id_vehicle")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_ownership")),
    )
    with op.batch_alter_table("ownership", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_ownership_owner_id"), ["owner_id"], unique=False)
        batch_op.create_index(
            "ix_ownership_vehicle_started", ["vehicle_id", "started_at"], unique=False
        )

    op.create_table(
        "vehicle_cursor",
        sa.Column(
            "vehicle_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False
        ),
        sa.Column("sequence", sa.BigInteger(), nullable=False),
        sa.Column("ended_at", sa.BigInteger(), nullable=False),
        sa.Column("odometer_end_m", sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(
            ["vehicle_id"], ["vehicle.id"], name=op.f("fk_vehicle_cursor_vehicle_id_vehicle")
        ),
        sa.PrimaryKeyConstraint("vehicle_id", name=op.f("pk_vehicle_cursor")),
    )
    op.create_table(
        "vehicle_key",
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.Column(
            "vehicle_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False
        ),
        sa.Column("serial", sa.Integer(), nullable=False),
        sa.Column("public_key", sa.LargeBinary(length=32), nullable=False),
        sa.Column("added_at", sa.BigInteger(), nullable=False),
        sa.Column("retired_at", sa.BigInteger(), nullable=True),
        sa.Column("revoked_at", sa.BigInteger(), nullable=True),
        sa.Column("revoke_reason", sa.String(length=200), nullable=True),
        sa.ForeignKeyConstraint(
            ["vehicle_id"], ["vehicle.id"], name=op.f("fk_vehicle_key_vehicle_id_vehicle")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_vehicle_key")),
        sa.UniqueConstraint("public_key", name=op.f("uq_vehicle_key_public_key")),
        sa.UniqueConstraint("vehicle_id", "serial", name=op.f("uq_vehicle_key_vehicle_id")),
    )
    with op.batch_alter_table("vehicle_key", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_vehicle_key_vehicle_id"), ["vehicle_id"], unique=False)

    op.create_table(
        "consent_grant",
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.Column("owner_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column(
            "vehicle_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False
        ),
        sa.Column("scope", sa.String(length=32), nullable=False),
        sa.Column("terms_version", sa.String(length=32), nullable=False),
        sa.Column("granted_at", sa.BigInteger(), nullable=False),
        sa.Column("revoked_at", sa.BigInteger(), nullable=True),
        sa.Column(
            "grant_receipt_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False
        ),
        sa.Column(
            "revoke_receipt_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=True
        ),
        sa.ForeignKeyConstraint(
            ["grant_receipt_id"],
            ["consent_receipt.id"],
            name=op.f("fk_consent_grant_grant_receipt_id_consent_receipt"),
        ),
        sa.ForeignKeyConstraint(
            ["owner_id"], ["owner.id"], name=op.f("fk_consent_grant_owner_id_owner")
        ),
        sa.ForeignKeyConstraint(
            ["revoke_receipt_id"],
            ["consent_receipt.id"],
            name=op.f("fk_consent_grant_revoke_receipt_id_consent_receipt"),
        ),
        sa.ForeignKeyConstraint(
            ["vehicle_id"], ["vehicle.id"], name=op.f("fk_consent_grant_vehicle_id_vehicle")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_consent_grant")),
    )
    with op.batch_alter_table("consent_grant", schema=None) as batch_op:
        batch_op.create_index(
            "ix_consent_grant_owner_vehicle", ["owner_id", "vehicle_id", "scope"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_consent_grant_vehicle_id"), ["vehicle_id"], unique=False
        )

    op.create_table(
        "deletion_receipt",
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.Column(
            "consent_receipt_id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            nullable=False,
        ),
        sa.Column("owner_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column(
            "vehicle_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False
        ),
        sa.Column("scope", sa.String(length=32), nullable=False),
        sa.Column("at", sa.BigInteger(), nullable=False),
        sa.Column("items_erased", sa.BigInteger(), nullable=False),
        sa.Column("hash", sa.LargeBinary(length=32), nullable=False),
        sa.ForeignKeyConstraint(
            ["consent_receipt_id"],
            ["consent_receipt.id"],
            name=op.f("fk_deletion_receipt_consent_receipt_id_consent_receipt"),
        ),
        sa.ForeignKeyConstraint(
            ["owner_id"], ["owner.id"], name=op.f("fk_deletion_receipt_owner_id_owner")
        ),
        sa.ForeignKeyConstraint(
            ["vehicle_id"], ["vehicle.id"], name=op.f("fk_deletion_receipt_vehicle_id_vehicle")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_deletion_receipt")),
        sa.UniqueConstraint(
            "consent_receipt_id", name=op.f("uq_deletion_receipt_consent_receipt_id")
        ),
        sa.UniqueConstraint("hash", name=op.f("uq_deletion_receipt_hash")),
    )
    with op.batch_alter_table("deletion_receipt", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_deletion_receipt_owner_id"), ["owner_id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("deletion_receipt", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_deletion_receipt_owner_id"))

    op.drop_table("deletion_receipt")
    with op.batch_alter_table("consent_grant", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_consent_grant_vehicle_id"))
        batch_op.drop_index("ix_consent_grant_owner_vehicle")

    op.drop_table("consent_grant")
    with op.batch_alter_table("vehicle_key", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_vehicle_key_vehicle_id"))

    op.drop_table("vehicle_key")
    op.drop_table("vehicle_cursor")
    with op.batch_alter_table("ownership", schema=None) as batch_op:
        batch_op.drop_index("ix_ownership_vehicle_started")
        batch_op.drop_index(batch_op.f("ix_ownership_owner_id"))

    op.drop_table("ownership")
    with op.batch_alter_table("consent_receipt", schema=None) as batch_op:
        batch_op.drop_index("ix_consent_receipt_owner_vehicle")

    op.drop_table("consent_receipt")
    op.drop_table("vehicle")
    op.drop_table("trip_round")
    with op.batch_alter_table("trip_rejection", schema=None) as batch_op:
        batch_op.drop_index("ix_trip_rejection_vehicle_received")
        batch_op.drop_index(batch_op.f("ix_trip_rejection_code"))

    op.drop_table("trip_rejection")
    op.drop_table("trip")
    with op.batch_alter_table("owner", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_owner_phone_hash"))
        batch_op.drop_index(batch_op.f("ix_owner_payment_hash"))

    op.drop_table("owner")
