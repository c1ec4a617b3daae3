"""Erasing raw telemetry when an owner revokes consent; the per-round aggregates stay.

`mileage`: the trip's exact instants, odometer readings, firmware and signed envelope, and the
envelopes of rejected reports from the owner's time with the vehicle. `driving_behavior`: the
behaviour summaries, the envelopes that carry them, and the envelopes of rejected reports.
Sequence numbers, trip ids and report hashes stay: they identify reports (so a replay is still
recognised) without describing any driving. The meters per round and the multiplier earned
stay too: settlement and audit need them, and they name only a pseudonymous owner.
"""

from __future__ import annotations

from typing import Any, cast

from sqlalchemy import CursorResult, Result, update
from sqlalchemy.orm import Session

from milestone.consent.erasure import register_eraser
from milestone.consent.service import DRIVING_BEHAVIOR, MILEAGE
from milestone.telemetry.models import Trip, TripRejection


def erase_raw_telemetry(
    session: Session, owner_id: int, vehicle_id: int, scope: str, at: int
) -> int:
    """Erase the owner's raw telemetry of `scope` from the vehicle; the number of items erased."""
    if scope == MILEAGE:
        return erase_mileage(session, owner_id, vehicle_id, at)
    if scope == DRIVING_BEHAVIOR:
        return erase_behaviour(session, owner_id, vehicle_id)
    return 0


def erase_mileage(session: Session, owner_id: int, vehicle_id: int, at: int) -> int:
    trips = session.execute(
        update(Trip)
        .where(
            Trip.owner_id == owner_id,
            Trip.vehicle_id == vehicle_id,
            Trip.raw_erased_at.is_(None),
        )
        .values(
            started_at=None,
            ended_at=None,
            odometer_start_m=None,
            odometer_end_m=None,
            firmware=None,
            envelope=None,
            raw_erased_at=at,
        )
        .execution_options(synchronize_session=False)
    )
    return rowcount(trips) + erase_rejected_envelopes(session, owner_id, vehicle_id)


def erase_behaviour(session: Session, owner_id: int, vehicle_id: int) -> int:
    # The envelope carries the summary too.
    summaries = session.execute(
        update(Trip)
        .where(
            Trip.owner_id == owner_id,
            Trip.vehicle_id == vehicle_id,
            Trip.harsh_brakes.is_not(None),
        )
        .values(harsh_brakes=None, harsh_accelerations=None, speeding_seconds=None, envelope=None)
        .execution_options(synchronize_session=False)
    )
    return rowcount(summaries) + erase_rejected_envelopes(session, owner_id, vehicle_id)


def erase_rejected_envelopes(session: Session, owner_id: int, vehicle_id: int) -> int:
    result = session.execute(
        update(TripRejection)
        .where(
            TripRejection.owner_id == owner_id,
            TripRejection.vehicle_id == vehicle_id,
            TripRejection.envelope.is_not(None),
        )
        .values(envelope=None)
        .execution_options(synchronize_session=False)
    )
    return rowcount(result)


def rowcount(result: Result[Any]) -> int:
    """Rows an UPDATE or DELETE touched."""
    return int(cast(CursorResult[Any], result).rowcount)


register_eraser(erase_raw_telemetry)
