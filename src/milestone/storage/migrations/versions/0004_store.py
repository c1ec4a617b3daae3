"""Store: merchants, catalogue items, orders and their steps, transfer allowances.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-22
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

# SQLite auto-increments only an INTEGER PRIMARY KEY; PostgreSQL gets a 64-bit identity.
ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "merchant",
        sa.Column("id", ID, autoincrement=True, nullable=False),
        sa.Column("name", sa.String(length=64), nullable=False),
        sa.Column("category", sa.String(length=16), nullable=False),
        sa.Column("api_key_id", sa.String(length=16), nullable=False),
        sa.Column("api_key_hash", sa.LargeBinary(length=32), nullable=False),
        sa.Column("created_at", sa.BigInteger(), nullable=False),
        sa.Column("deactivated_at", sa.BigInteger(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_merchant")),
        sa.UniqueConstraint("api_key_id", name=op.f("uq_merchant_api_key_id")),
        sa.UniqueConstraint("name", name=op.f("uq_merchant_name")),
    )
    op.create_table(
        "catalogue_item",
        sa.Column("id", ID, autoincrement=True, nullable=False),
        sa.Column("merchant_id", ID, nullable=False),
        sa.Column("sku", sa.String(length=64), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("price", sa.BigInteger(), nullable=False),
        sa.Column("cash_fen", sa.BigInteger(), nullable=False),
        sa.Column("stock", sa.BigInteger(), nullable=True),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.BigInteger(), nullable=False),
        sa.CheckConstraint(
            "price >= 0 AND cash_fen >= 0", name=op.f("ck_catalogue_item_prices_not_negative")
        ),
        sa.CheckConstraint(
            "stock IS NULL OR stock >= 0", name=op.f("ck_catalogue_item_stock_not_negative")
        ),
        sa.ForeignKeyConstraint(
            ["merchant_id"], ["merchant.id"], name=op.f("fk_catalogue_item_merchant_id_merchant")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_catalogue_item")),
        sa.UniqueConstraint("merchant_id", "sku", name=op.f("uq_catalogue_item_merchant_id")),
    )
    with op.batch_alter_table("catalogue_item", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_catalogue_item_merchant_id"), ["merchant_id"], unique=False
        )

    op.create_table(
        "transfer_allowance",
        sa.Column("sender_id", ID, nullable=False),
        sa.Column("recipient_id", ID, nullable=False),
        sa.Column("added_at", sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(
            ["recipient_id"], ["owner.id"], name=op.f("fk_transfer_allowance_recipient_id_owner")
        ),
        sa.ForeignKeyConstraint(
            ["sender_id"], ["owner.id"], name=op.f("fk_transfer_allowance_sender_id_owner")
        ),
        sa.PrimaryKeyConstraint("sender_id", "recipient_id", name=op.f("pk_transfer_allowance")),
    )
    op.create_table(
        "store_order",
        sa.Column("id", ID, autoincrement=True, nullable=False),
        sa.Column("owner_id", ID, nullable=False),
        sa.Column("merchant_id", ID, nullable=False),
        sa.Column("item_id", ID, nullable=False),
        sa.Column("quantity", sa.Integer(), nullable=False),
        sa.Column("stones", sa.BigInteger(), nullable=False),
        sa.Column("cash_fen", sa.BigInteger(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("place_key", sa.String(length=64), nullable=False),
        sa.Column("placed_at", sa.BigInteger(), nullable=False),
        sa.Column("updated_at", sa.BigInteger(), nullable=False),
        sa.CheckConstraint("quantity > 0", name=op.f("ck_store_order_quantity_positive")),
        sa.ForeignKeyConstraint(
            ["item_id"], ["catalogue_item.id"], name=op.f("fk_store_order_item_id_catalogue_item")
        ),
        sa.ForeignKeyConstraint(
            ["merchant_id"], ["merchant.id"], name=op.f("fk_store_order_merchant_id_merchant")
        ),
        sa.ForeignKeyConstraint(
            ["owner_id"], ["owner.id"], name=op.f("fk_store_order_owner_id_owner")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_store_order")),
        sa.UniqueConstraint("owner_id", "place_key", name=op.f("uq_store_order_owner_id")),
    )
    with op.batch_alter_table("store_order", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_store_order_merchant_id"), ["merchant_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_store_order_owner_id"), ["owner_id"], unique=False)

    op.create_table(
        "store_order_step",
        sa.Column("order_id", ID, nullable=False),
        sa.Column("step", sa.String(length=16), nullable=False),
        sa.Column("key", sa.String(length=64), nullable=False),
        sa.Column("actor", sa.String(length=32), nullable=False),
        sa.Column("taken_at", sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(
            ["order_id"], ["store_order.id"], name=op.f("fk_store_order_step_order_id_store_order")
        ),
        sa.PrimaryKeyConstraint("order_id", "step", name=op.f("pk_store_order_step")),
    )


def downgrade() -> None:
    op.drop_table("store_order_step")
    with op.batch_alter_table("store_order", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_store_order_owner_id"))
        batch_op.drop_index(batch_op.f("ix_store_order_merchant_id"))

    op.drop_table("store_order")
    op.drop_table("transfer_allowance")
    with op.batch_alter_table("catalogue_item", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_catalogue_item_merchant_id"))

    op.drop_table("catalogue_item")
    op.drop_table("merchant")
