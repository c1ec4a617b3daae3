"""Tables of the activities: released budget, owner standing, check-ins, referrals, campaigns."""

from __future__ import annotations

from sqlalchemy import (
    BigInteger,
    CheckConstraint,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from milestone.storage.base import Base

# SQLite auto-increments only an INTEGER PRIMARY KEY; PostgreSQL gets a 64-bit identity.
Id = BigInteger().with_variant(Integer, "sqlite")


class ActivityRelease(Base):
    """The activity budget released for one epoch (settlement's step, once per epoch)."""

    __tablename__ = "activity_release"
    __table_args__ = (CheckConstraint("amount >= 0", name="amount_not_negative"),)

    epoch: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    amount: Mapped[int] = mapped_column(BigInteger)
    released_at: Mapped[int] = mapped_column(BigInteger)
    entry_seq: Mapped[int | None] = mapped_column(BigInteger)
    """The journal entry that moved it; None for an epoch that released nothing."""


class OwnerStanding(Base):
    """When an owner was certified (spend lock) and whether the account was revoked."""

    __tablename__ = "owner_standing"

    owner_id: Mapped[int] = mapped_column(
        ForeignKey("owner.id"), primary_key=True, autoincrement=False
    )
    certified_at: Mapped[int | None] = mapped_column(BigInteger)
    revoked_at: Mapped[int | None] = mapped_column(BigInteger)
    revoke_reason: Mapped[str | None] = mapped_column(String(200))


class CheckIn(Base):
    """One daily check-in and what it paid; one per owner per day (epoch)."""

    __tablename__ = "checkin"
    __table_args__ = (UniqueConstraint("owner_id", "day"),)

    id: Mapped[int] = mapped_column(Id, primary_key=True, autoincrement=True)
    owner_id: Mapped[int] = mapped_column(ForeignKey("owner.id"))
    day: Mapped[int] = mapped_column(BigInteger)
    streak: Mapped[int] = mapped_column(Integer)
    reward: Mapped[int] = mapped_column(BigInteger)
    checked_in_at: Mapped[int] = mapped_column(BigInteger)
    entry_seq: Mapped[int] = mapped_column(BigInteger)


class ReferralCode(Base):
    """The code an owner hands to people who might buy a car."""

    __tablename__ = "referral_code"

    code: Mapped[str] = mapped_column(String(16), primary_key=True)
    owner_id: Mapped[int] = mapped_column(ForeignKey("owner.id"), unique=True)
    created_at: Mapped[int] = mapped_column(BigInteger)


class SalesSystem(Base):
    """A dealer or sales back office whose signed delivery confirmations pay referrals."""

    __tablename__ = "sales_system"

    id: Mapped[int] = mapped_column(Id, primary_key=True, autoincrement=True)
    name: Mapped[str] = mapped_column(String(64), unique=True)
    public_key: Mapped[bytes] = mapped_column(LargeBinary(32), unique=True)
    api_key_id: Mapped[str] = mapped_column(String(16), unique=True)
    api_key_hash: Mapped[bytes] = mapped_column(LargeBinary(32))
    registered_at: Mapped[int] = mapped_column(BigInteger)
    revoked_at: Mapped[int | None] = mapped_column(BigInteger)


class Referral(Base):
    """A car order that named a referral code, and its reward once the car was delivered."""

    __tablename__ = "referral"
    __table_args__ = (Index("ix_referral_referrer_confirmed", "referrer_id", "confirmed_at"),)

    id: Mapped[int] = mapped_column(Id, primary_key=True, autoincrement=True)
    order_id: Mapped[str] = mapped_column(String(64), unique=True)
    code: Mapped[str] = mapped_column(String(16))
    referrer_id: Mapped[int] = mapped_column(ForeignKey("owner.id"))
    buyer_id: Mapped[int] = mapped_column(ForeignKey("owner.id"), index=True)
    registered_at: Mapped[int] = mapped_column(BigInteger)
    # Filled in by the delivery confirmation:
    vin: Mapped[str | None] = mapped_column(String(17), unique=True)
    delivered_at: Mapped[int | None] = mapped_column(BigInteger)
    confirmed_at: Mapped[int | None] = mapped_column(BigInteger)
    sales_system_id: Mapped[int | None] = mapped_column(ForeignKey("sales_system.id"))
    signature: Mapped[bytes | None] = mapped_column(LargeBinary(64))
    buyer_reward: Mapped[int | None] = mapped_column(BigInteger)
    referrer_reward: Mapped[int | None] = mapped_column(BigInteger)
    referrer_outcome: Mapped[str | None] = mapped_column(String(24))
    """`rewarded`, `yearly_cap_reached` or `referrer_revoked`."""
    reward_year: Mapped[int | None] = mapped_column(Integer)
    vests_at: Mapped[int | None] = mapped_column(BigInteger)
    entry_seq: Mapped[int | None] = mapped_column(BigInteger)


class Campaign(Base):
    """An operator's campaign: a budget reserved from the released activity budget."""

    __tablename__ = "campaign"
    __table_args__ = (
        CheckConstraint("budget > 0 AND reward > 0 AND reward <= budget", name="amounts"),
        CheckConstraint("starts_at < ends_at", name="window"),
        CheckConstraint("per_owner_cap > 0", name="cap_positive"),
    )

    id: Mapped[int] = mapped_column(Id, primary_key=True, autoincrement=True)
    name: Mapped[str] = mapped_column(String(100), unique=True)
    budget: Mapped[int] = mapped_column(BigInteger)
    reward: Mapped[int] = mapped_column(BigInteger)
    per_owner_cap: Mapped[int] = mapped_column(Integer)
    proof: Mapped[str] = mapped_column(String(16))
    """How participation is proven: `operator`, `code` or `list`."""
    starts_at: Mapped[int] = mapped_column(BigInteger)
    ends_at: Mapped[int] = mapped_column(BigInteger)
    created_at: Mapped[int] = mapped_column(BigInteger)
    closed_at: Mapped[int | None] = mapped_column(BigInteger)
    returned: Mapped[int | None] = mapped_column(BigInteger)
    """Unspent budget given back to the activity budget when the campaign closed."""


class CampaignCode(Base):
    """A one-time participation code (QR or event code), kept only as its hash."""

    __tablename__ = "campaign_code"

    code_hash: Mapped[bytes] = mapped_column(LargeBinary(32), primary_key=True)
    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaign.id"), index=True)
    created_at: Mapped[int] = mapped_column(BigInteger)
    used_by: Mapped[int | None] = mapped_column(ForeignKey("owner.id"))
    used_at: Mapped[int | None] = mapped_column(BigInteger)


class CampaignParticipation(Base):
    """One rewarded participation; `proof` says how it was proven and makes it happen once."""

    __tablename__ = "campaign_participation"
    __table_args__ = (
        UniqueConstraint("campaign_id", "proof"),
        Index("ix_campaign_participation_owner", "campaign_id", "owner_id"),
    )

    id: Mapped[int] = mapped_column(Id, primary_key=True, autoincrement=True)
    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaign.id"))
    owner_id: Mapped[int] = mapped_column(ForeignKey("owner.id"))
    proof: Mapped[str] = mapped_column(String(100))
    reward: Mapped[int] = mapped_column(BigInteger)
    participated_at: Mapped[int] = mapped_column(BigInteger)
    entry_seq: Mapped[int] = mapped_column(BigInteger)
