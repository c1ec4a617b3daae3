"""Tables of consent: every grant and revocation as a receipt, the periods they open and close,
and the receipts of deletions."""

from __future__ import annotations

from sqlalchemy import BigInteger, ForeignKey, Index, Integer, LargeBinary, String
from sqlalchemy.orm import Mapped, mapped_column

from milestone.storage import Base

Id = BigInteger().with_variant(Integer, "sqlite")


class ConsentReceipt(Base):
    """One change of consent, chained by hash to the owner's previous receipt."""

    __tablename__ = "consent_receipt"
    __table_args__ = (Index("ix_consent_receipt_owner_vehicle", "owner_id", "vehicle_id"),)

    id: Mapped[int] = mapped_column(Id, primary_key=True, autoincrement=True)
    owner_id: Mapped[int] = mapped_column(ForeignKey("owner.id"))
    vehicle_id: Mapped[int] = mapped_column(ForeignKey("vehicle.id"))
    scope: Mapped[str] = mapped_column(String(32))
    action: Mapped[str] = mapped_column(String(8))
    at: Mapped[int] = mapped_column(BigInteger)
    terms_version: Mapped[str] = mapped_column(String(32))
    prev_hash: Mapped[bytes] = mapped_column(LargeBinary(32))
    hash: Mapped[bytes] = mapped_column(LargeBinary(32), unique=True)


class ConsentGrant(Base):
    """A grant in force over `[granted_at, revoked_at)`: what the intake checks trips against."""

    __tablename__ = "consent_grant"
    __table_args__ = (Index("ix_consent_grant_owner_vehicle", "owner_id", "vehicle_id", "scope"),)

    id: Mapped[int] = mapped_column(Id, primary_key=True, autoincrement=True)
    owner_id: Mapped[int] = mapped_column(ForeignKey("owner.id"))
    vehicle_id: Mapped[int] = mapped_column(ForeignKey("vehicle.id"), index=True)
    scope: Mapped[str] = mapped_column(String(32))
    terms_version: Mapped[str] = mapped_column(String(32))
    granted_at: Mapped[int] = mapped_column(BigInteger)
    revoked_at: Mapped[int | None] = mapped_column(BigInteger)
    grant_receipt_id: Mapped[int] = mapped_column(ForeignKey("consent_receipt.id"))
    revoke_receipt_id: Mapped[int | None] = mapped_column(ForeignKey("consent_receipt.id"))


class DeletionReceipt(Base):
    """What a revocation erased, bound by hash to the revocation's receipt."""

    __tablename__ = "deletion_receipt"

    id: Mapped[int] = mapped_column(Id, primary_key=True, autoincrement=True)
    consent_receipt_id: Mapped[int] = mapped_column(ForeignKey("consent_receipt.id"), unique=True)
    owner_id: Mapped[int] = mapped_column(ForeignKey("owner.id"), index=True)
    vehicle_id: Mapped[int] = mapped_column(ForeignKey("vehicle.id"))
    scope: Mapped[str] = mapped_column(String(32))
    at: Mapped[int] = mapped_column(BigInteger)
    items_erased: Mapped[int] = mapped_column(BigInteger)
    hash: Mapped[bytes] = mapped_column(LargeBinary(32), unique=True)
