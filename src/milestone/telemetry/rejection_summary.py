"""Refused reports summed up for the operator: by kind, by code and by vehicle, all on the
server over every kept row (never over the page of rows a screen happens to hold).

A refusal is one of three kinds, because each asks something different of the operator: a
missing consent is the owner's choice and no fault; a program limit (the epoch closed, its cap
reached) is the program working as written; anything else failed an integrity check (forged,
replayed, rolled back, impossible) and is worth looking into, vehicle by vehicle.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final, Literal

from sqlalchemy import case, func, select
from sqlalchemy.orm import Session

from milestone.rules.trips import EpochCapReached, EpochClosed, NoMileageConsent
from milestone.telemetry.models import TripRejection

RejectionKind = Literal["integrity", "consent", "limit"]
CONSENT_CODES: Final = frozenset({NoMileageConsent.code})
LIMIT_CODES: Final = frozenset({EpochClosed.code, EpochCapReached.code})


def rejection_kind(code: str) -> RejectionKind:
    """Which of the three kinds a refusal code is."""
    if code in CONSENT_CODES:
        return "consent"
    if code in LIMIT_CODES:
        return "limit"
    return "integrity"


@dataclass(frozen=True, slots=True)
class CodeCount:
    code: str
    kind: RejectionKind
    count: int


@dataclass(frozen=True, slots=True)
class VehicleCount:
    """One vehicle's refusals; `vehicle_id` None gathers reports from no known vehicle."""

    vehicle_id: int | None
    count: int
    integrity: int
    consent: int


@dataclass(frozen=True, slots=True)
class RejectionSummary:
    total: int
    by_kind: dict[RejectionKind, int]
    by_code: list[CodeCount]
    """Most refused first."""
    by_vehicle: list[VehicleCount]
    """The vehicles with the most integrity refusals first (then the most refusals), at most
    the number asked."""
    vehicles: int
    """How many vehicles (and the unknown one) had a report refused."""


def summarise_rejections(
    session: Session, *, since: int | None = None, vehicles: int = 20
) -> RejectionSummary:
    """Counts of refused reports received since an instant (else all kept), grouped."""
    where = [] if since is None else [TripRejection.received_at >= since]
    by_code = sorted(
        (
            CodeCount(code, rejection_kind(code), int(count))
            for code, count in session.execute(
                select(TripRejection.code, func.count()).where(*where).group_by(TripRejection.code)
            )
        ),
        key=lambda row: (-row.count, row.code),
    )
    by_kind: dict[RejectionKind, int] = {"integrity": 0, "consent": 0, "limit": 0}
    for row in by_code:
        by_kind[row.kind] += row.count
    fault = ~TripRejection.code.in_(CONSENT_CODES | LIMIT_CODES)
    integrity = func.sum(case((fault, 1), else_=0))
    consent = func.sum(case((TripRejection.code.in_(CONSENT_CODES), 1), else_=0))
    total = func.count()
    grouped = (
        select(TripRejection.vehicle_id, total, integrity, consent)
        .where(*where)
        .group_by(TripRejection.vehicle_id)
    )
    top = session.execute(
        grouped.order_by(integrity.desc(), total.desc(), TripRejection.vehicle_id).limit(vehicles)
    )
    counted = session.execute(select(func.count()).select_from(grouped.subquery())).scalar_one()
    return RejectionSummary(
        total=sum(row.count for row in by_code),
        by_kind=by_kind,
        by_code=by_code,
        by_vehicle=[
            VehicleCount(vehicle_id, int(count), int(faults), int(refused))
            for vehicle_id, count, faults, refused in top
        ],
        vehicles=int(counted),
    )
