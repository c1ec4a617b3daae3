"""Reading the activities for people: an owner's referrals, the registered sales systems, and
the counts a report shows."""

from __future__ import annotations

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from milestone.activities.models import CheckIn, Referral, SalesSystem
from milestone.activities.referrals import REWARDED


def referrals_of(session: Session, owner_id: int) -> list[Referral]:
    """Referrals the owner made (as referrer) or was made in (as buyer), newest first."""
    query = (
        select(Referral)
        .where(or_(Referral.referrer_id == owner_id, Referral.buyer_id == owner_id))
        .order_by(Referral.id.desc())
    )
    return list(session.execute(query).scalars())


def list_sales_systems(session: Session) -> list[SalesSystem]:
    return list(session.execute(select(SalesSystem).order_by(SalesSystem.id)).scalars())


def count_checkins(session: Session) -> int:
    """Check-ins paid, every owner and day."""
    return int(session.execute(select(func.count()).select_from(CheckIn)).scalar_one())


def count_referrals_paid(session: Session) -> int:
    """Referrals whose referrer was paid (not capped, not revoked)."""
    query = select(func.count()).select_from(Referral).where(Referral.referrer_outcome == REWARDED)
    return int(session.execute(query).scalar_one())
