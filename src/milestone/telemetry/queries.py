"""Reading telemetry for people: an owner's trips, the operator's view of rejected reports."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from milestone.telemetry.models import Trip, TripRejection

PAGE_MAX = 500


def trips_of_owner(
    session: Session, owner_id: int, *, before: int | None = None, limit: int = 50
) -> list[Trip]:
    """The owner's accepted trips, newest first, below id `before` when given."""
    query = (
        select(Trip)
        .where(Trip.owner_id == owner_id)
        .order_by(Trip.id.desc())
        .limit(min(limit, PAGE_MAX))
    )
    if before is not None:
        query = query.where(Trip.id < before)
    return list(session.execute(query).scalars())


def list_rejections(
    session: Session,
    *,
    code: str | None = None,
    vehicle_id: int | None = None,
    owner_id: int | None = None,
    before: int | None = None,
    limit: int = 50,
) -> list[TripRejection]:
    """Rejected reports, newest first, filtered by code, vehicle and owner when given."""
    query = select(TripRejection).order_by(TripRejection.id.desc()).limit(min(limit, PAGE_MAX))
    if code is not None:
        query = query.where(TripRejection.code == code)
    if vehicle_id is not None:
        query = query.where(TripRejection.vehicle_id == vehicle_id)
    if owner_id is not None:
        query = query.where(TripRejection.owner_id == owner_id)
    if before is not None:
        query = query.where(TripRejection.id < before)
    return list(session.execute(query).scalars())


def count_rejections(session: Session) -> dict[str, int]:
    """How many reports were rejected, by code."""
    query = select(TripRejection.code, func.count()).group_by(TripRejection.code)
    return {code: count for code, count in session.execute(query)}
