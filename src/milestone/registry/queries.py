"""Reading the registry for people: an owner's vehicles, the operator's list of vehicles."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from milestone.registry.models import Owner, Ownership, Vehicle

PAGE_MAX = 500


def vehicles_of_owner(session: Session, owner_id: int) -> list[Vehicle]:
    """The vehicles the owner owns now, by id."""
    query = (
        select(Vehicle)
        .join(Ownership, Ownership.vehicle_id == Vehicle.id)
        .where(Ownership.owner_id == owner_id, Ownership.ended_at.is_(None))
        .order_by(Vehicle.id)
    )
    return list(session.execute(query).scalars())


def list_vehicles(session: Session, *, before: int | None = None, limit: int = 50) -> list[Vehicle]:
    """Vehicles newest first, `limit` at a time, below id `before` when given."""
    query = select(Vehicle).order_by(Vehicle.id.desc()).limit(min(limit, PAGE_MAX))
    if before is not None:
        query = query.where(Vehicle.id < before)
    return list(session.execute(query).scalars())


def list_owners(session: Session, *, before: int | None = None, limit: int = 50) -> list[Owner]:
    """Owners newest first, `limit` at a time, below id `before` when given."""
    query = select(Owner).order_by(Owner.id.desc()).limit(min(limit, PAGE_MAX))
    if before is not None:
        query = query.where(Owner.id < before)
    return list(session.execute(query).scalars())
