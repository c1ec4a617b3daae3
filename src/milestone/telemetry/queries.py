"""Reading what the intake stored: rejections for the operator, meters per round for settlement,
meters counted per epoch and per owner for reports."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from milestone.registry.models import Owner, Vehicle
from milestone.telemetry.models import PrunedEpoch, Trip, TripRejection, TripRound, VehicleCursor

NEUTRAL_BPS: Final[int] = 10_000
MAX_LIMIT: Final[int] = 1_000


@dataclass(frozen=True, slots=True)
class RoundMeters:
    """A vehicle's counted meters in one round, the owner credited, and the multiplier earned.

    `behaviour_bps` is the meter-weighted mean of its trips' multipliers, rounded down; a trip
    without `driving_behavior` consent counts at 1.00 (10,000 bps).
    """

    vehicle_id: int
    owner_id: int
    round: int
    meters: int
    behaviour_bps: int


@dataclass(frozen=True, slots=True)
class RejectionView:
    """A rejection as the operator sees it."""

    id: int
    received_at: int
    code: str
    detail: str
    vehicle_id: int | None
    owner_id: int | None
    sequence: int | None
    report_hash: bytes
    has_envelope: bool


def round_meters(session: Session, epoch: int) -> list[RoundMeters]:
    """Every vehicle's counted meters per round of `epoch`, ordered by vehicle then round."""
    bps = func.coalesce(TripRound.behaviour_bps, NEUTRAL_BPS)
    query = (
        select(
            TripRound.vehicle_id,
            TripRound.owner_id,
            TripRound.round,
            func.sum(TripRound.meters),
            func.sum(TripRound.meters * bps),
        )
        .where(TripRound.epoch == epoch)
        .group_by(TripRound.vehicle_id, TripRound.owner_id, TripRound.round)
        .order_by(TripRound.vehicle_id, TripRound.round, TripRound.owner_id)
    )
    return [
        RoundMeters(vehicle_id, owner_id, round_index, int(meters), int(weighted) // int(meters))
        for vehicle_id, owner_id, round_index, meters, weighted in session.execute(query)
        if meters
    ]


def list_rejections(
    session: Session,
    *,
    vehicle_id: int | None = None,
    code: str | None = None,
    owner_id: int | None = None,
    before: int | None = None,
    limit: int = 50,
) -> list[RejectionView]:
    """The latest rejections, newest first, filtered by vehicle, code, owner and page when given."""
    query = select(TripRejection)
    if vehicle_id is not None:
        query = query.where(TripRejection.vehicle_id == vehicle_id)
    if code is not None:
        query = query.where(TripRejection.code == code)
    if owner_id is not None:
        query = query.where(TripRejection.owner_id == owner_id)
    if before is not None:
        query = query.where(TripRejection.id < before)
    query = query.order_by(TripRejection.id.desc()).limit(max(1, min(limit, MAX_LIMIT)))
    return [
        RejectionView(
            id=row.id,
            received_at=row.received_at,
            code=row.code,
            detail=row.detail,
            vehicle_id=row.vehicle_id,
            owner_id=row.owner_id,
            sequence=row.sequence,
            report_hash=bytes(row.report_hash),
            has_envelope=row.envelope is not None,
        )
        for row in session.execute(query).scalars()
    ]


def rejection_counts(session: Session, *, since: int | None = None) -> dict[str, int]:
    """How many reports each code refused (since an instant, if given)."""
    query = select(TripRejection.code, func.count()).group_by(TripRejection.code)
    if since is not None:
        query = query.where(TripRejection.received_at >= since)
    return {code: int(count) for code, count in session.execute(query)}


def intake_totals(session: Session) -> dict[str, int]:
    """Accepted trips, their counted meters, and rejections, all time: the rows still kept
    plus what retention recorded of the epochs it pruned."""
    trips, counted = session.execute(
        select(func.count(), func.coalesce(func.sum(Trip.counted_m), 0)).select_from(Trip)
    ).one()
    rejected = session.execute(select(func.count()).select_from(TripRejection)).scalar_one()
    pruned_trips, pruned_counted, pruned_rejected = session.execute(
        select(
            func.coalesce(func.sum(PrunedEpoch.trips), 0),
            func.coalesce(func.sum(PrunedEpoch.counted_m), 0),
            func.coalesce(func.sum(PrunedEpoch.rejections), 0),
        )
    ).one()
    return {
        "trips": int(trips) + int(pruned_trips),
        "counted_meters": int(counted) + int(pruned_counted),
        "rejections": int(rejected) + int(pruned_rejected),
    }


def find_orphans(session: Session) -> dict[str, int]:
    """Rows whose references do not resolve: trips of unknown vehicles or owners, round
    shares of unknown trips. All zero in a sound database."""
    trips_without_vehicle = (
        select(func.count()).select_from(Trip)
        .outerjoin(Vehicle, Vehicle.id == Trip.vehicle_id).where(Vehicle.id.is_(None))
    )
    trips_without_owner = (
        select(func.count()).select_from(Trip)
        .outerjoin(Owner, Owner.id == Trip.owner_id).where(Owner.id.is_(None))
    )
    rounds_without_trip = (
        select(func.count()).select_from(TripRound)
        .outerjoin(
            Trip,
            (Trip.vehicle_id == TripRound.vehicle_id) & (Trip.sequence == TripRound.sequence),
        )
        .where(Trip.sequence.is_(None))
    )
    return {
        "trips_without_vehicle": session.execute(trips_without_vehicle).scalar_one(),
        "trips_without_owner": session.execute(trips_without_owner).scalar_one(),
        "rounds_without_trip": session.execute(rounds_without_trip).scalar_one(),
    }


def trips_of_owner(session: Session, owner_id: int, *, limit: int = 50) -> list[Trip]:
    """The owner's latest accepted trips, newest first."""
    query = (
        select(Trip)
        .where(Trip.owner_id == owner_id)
        .order_by(Trip.received_at.desc(), Trip.vehicle_id, Trip.sequence.desc())
        .limit(max(1, min(limit, MAX_LIMIT)))
    )
    return list(session.execute(query).scalars())


def reported_odometer(session: Session, vehicle_id: int) -> int | None:
    """Where the vehicle's chain of authentic reports ends on the odometer (the next report must
    start there or later), or None before its first report."""
    return session.execute(
        select(VehicleCursor.odometer_end_m).where(VehicleCursor.vehicle_id == vehicle_id)
    ).scalar_one_or_none()


def counted_meters_by_epoch(session: Session, genesis: int, epoch_seconds: int) -> dict[int, int]:
    """Meters counted for mining, by the epoch each trip started in. A trip whose times were
    erased by a revocation is left out: its epoch is no longer known here."""
    by_epoch: dict[int, int] = {}
    for started_at, counted in session.execute(select(Trip.started_at, Trip.counted_m)):
        if started_at is not None:
            epoch = (started_at - genesis) // epoch_seconds
            by_epoch[epoch] = by_epoch.get(epoch, 0) + counted
    return by_epoch


def counted_meters_by_owner(session: Session) -> dict[int, int]:
    """Meters counted for mining, by the owner credited."""
    rows = session.execute(select(Trip.owner_id, func.sum(Trip.counted_m)).group_by(Trip.owner_id))
    return {owner_id: int(meters) for owner_id, meters in rows}
