"""Dividends per stone: each dividend's mode and the issuer's part of it, also on its epoch.

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-04
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Dividends declared before this revision were split over the circulating stones: the
    # holders received everything and the issuer nothing.
    with op.batch_alter_table("dividend") as batch:
        batch.add_column(
            sa.Column("mode", sa.String(16), nullable=False, server_default="per_circulating")
        )
        batch.add_column(
            sa.Column("issuer_fen", sa.BigInteger(), nullable=False, server_default="0")
        )
        batch.create_check_constraint(
            op.f("ck_dividend_issuer_fen_not_negative"), "issuer_fen >= 0"
        )
    # The issuer's part of the dividend an epoch commits, written into its epoch file.
    with op.batch_alter_table("epoch") as batch:
        batch.add_column(sa.Column("dividends_issuer_fen", sa.BigInteger(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("epoch") as batch:
        batch.drop_column("dividends_issuer_fen")
    with op.batch_alter_table("dividend") as batch:
        batch.drop_constraint(op.f("ck_dividend_issuer_fen_not_negative"), type_="check")
        batch.drop_column("issuer_fen")
        batch.drop_column("mode")
