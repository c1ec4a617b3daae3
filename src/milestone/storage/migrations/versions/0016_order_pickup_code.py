"""The order's pickup code: the buyer's secret that the merchant needs to fulfil it.

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-05
"""

from __future__ import annotations

import secrets

import sqlalchemy as sa
from alembic import op

revision = "0016"
down_revision = "0015"
branch_labels = None
depends_on = None


# As `milestone.store.pickup` draws them today; a migration keeps its own copy, frozen.
ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"


def new_pickup_code() -> str:
    return "".join(secrets.choice(ALPHABET) for _ in range(8))


def upgrade() -> None:
    op.add_column("store_order", sa.Column("pickup_code", sa.String(length=16), nullable=True))
    # Orders placed before this revision get a fresh random code each, shown to their buyers.
    connection = op.get_bind()
    orders = sa.table("store_order", sa.column("id", sa.BigInteger()), sa.column("pickup_code"))
    for (order_id,) in connection.execute(sa.select(orders.c.id)).all():
        connection.execute(
            orders.update().where(orders.c.id == order_id).values(pickup_code=new_pickup_code())
        )
    with op.batch_alter_table("store_order") as batch:
        batch.alter_column("pickup_code", existing_type=sa.String(length=16), nullable=False)


def downgrade() -> None:
    with op.batch_alter_table("store_order") as batch:
        batch.drop_column("pickup_code")
