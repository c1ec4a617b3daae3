"""Tables of the API's credentials: users (password hashes, roles) and API keys (digests only)."""

from __future__ import annotations

from sqlalchemy import BigInteger, CheckConstraint, ForeignKey, Integer, LargeBinary, String
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


class ApiKeyRecord(Base):
    """An API key of a merchant or of the sales system; only its SHA-256 digest is stored."""

    __tablename__ = "auth_api_key"
    __table_args__ = (
        CheckConstraint("holder IN ('merchant', 'sales')", name="known_holder"),
        CheckConstraint(
            "(holder = 'merchant') = (merchant_id IS NOT NULL)", name="merchant_iff_merchant_key"
        ),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    digest: Mapped[bytes] = mapped_column(LargeBinary(32), unique=True)
    prefix: Mapped[str] = mapped_column(String(16))
    """The key's first characters, shown in listings so people can tell keys apart."""
    holder: Mapped[str] = mapped_column(String(16))
    merchant_id: Mapped[int | None] = mapped_column(BigInteger, index=True)
    label: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[int] = mapped_column(BigInteger)
    revoked_at: Mapped[int | None] = mapped_column(BigInteger)
