"""Reading the activities for people: an owner's referrals, the registered sales systems."""

from __future__ import annotations

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from milestone.activities.models import Referral, SalesSystem


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
