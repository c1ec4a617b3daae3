"""The table of the API's users: password hashes and roles.

Machines (merchants, sales systems) hold API keys kept by their own services
(`milestone.store.merchants`, `milestone.activities.sales`).
"""

from __future__ import annotations

from sqlalchemy import BigInteger, CheckConstraint, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from milestone.storage.base import Base


class UserRecord(Base):
    """A person who logs in with a password: an owner, an operator or an auditor."""

    __tablename__ = "auth_user"
    __table_args__ = (
        CheckConstraint("role IN ('owner', 'operator', 'auditor')", name="known_role"),
        # An owner user is exactly one registry owner; staff users are nobody's owner account.
        CheckConstraint("(role = 'owner') = (owner_id IS NOT NULL)", name="owner_iff_owner_role"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    username: Mapped[str] = mapped_column(String(64), unique=True)
    """Lower-cased at creation, so log-in is case-insensitive."""
    password_hash: Mapped[str] = mapped_column(String(256))
    role: Mapped[str] = mapped_column(String(16))
    owner_id: Mapped[int | None] = mapped_column(BigInteger, ForeignKey("owner.id"), unique=True)
    created_at: Mapped[int] = mapped_column(BigInteger)
    disabled_at: Mapped[int | None] = mapped_column(BigInteger)
