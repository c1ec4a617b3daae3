"""The intake's events: each refused report becomes a `telemetry.report_rejected` event.

A fleet gateway or the owner app acts on it (a car whose key was revoked, a clock that drifts);
the vehicle is named by its VIN hash and the owner by address, never by a row id.
"""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy.orm import Session

from milestone.events import emit_many, owner_addresses, vehicle_refs
from milestone.events.outbox import hex_of
from milestone.telemetry.verify import Rejection


def emit_rejections(session: Session, rejections: Sequence[Rejection], received_at: int) -> None:
    """One event per refused report of a known vehicle, in the batch's order. No commit.

    Reports no registered key signed are left out: anyone can upload bytes, and they must not
    be able to fill the outbox (the operator still sees them among the rejections).
    """
    known = [(r, r.verdict.vehicle_id) for r in rejections if r.verdict.vehicle_id is not None]
    if not known:
        return
    vehicles = vehicle_refs(session, [vehicle_id for _, vehicle_id in known])
    owners = owner_addresses(session, [r.owner_id for r, _ in known if r.owner_id is not None])
    emit_many(session, "telemetry.report_rejected", [
        {
            "report": None if r.verdict.report_hash is None else hex_of(r.verdict.report_hash),
            "code": r.verdict.code, "vehicle": vehicles[vehicle_id],
            "owner": owners.get(r.owner_id) if r.owner_id is not None else None,
            "sequence": r.verdict.sequence,
        }
        for r, vehicle_id in known
    ], at=received_at)
