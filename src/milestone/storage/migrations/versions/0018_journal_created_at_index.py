"""The journal by creation time: an index for the unlock sweep.

Each finalization sweeps the window since the previous one for earnings whose spend lock ran
out in it (`milestone.store.unlocks.unlocked_by_time`), selecting journal entries by
`created_at`; without an index that read scans the whole journal, which only grows.

Revision ID: 0018
Revises: 0017
Create Date: 2026-12-05
"""

from __future__ import annotations

from alembic import op

revision = "0018"
down_revision = "0017"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index(op.f("ix_journal_entry_created_at"), "journal_entry", ["created_at"])


def downgrade() -> None:
    op.drop_index(op.f("ix_journal_entry_created_at"), table_name="journal_entry")
