"""The intake's events: a registered car's refused report is told, by VIN hash and address;
garbage nobody's key signed is not; consent changes are told with their receipt."""

from __future__ import annotations

import os
from typing import Any

from milestone.clock import ManualClock
from milestone.consent.service import revoke_consent
from milestone.events import events_after, owner_address, vehicle_refs
from milestone.storage import Database
from milestone.telemetry.intake import ingest

GENESIS = 1_767_225_600
HOUR = 3_600


def trip(car: Any, hour: int, odometer: int) -> bytes:
    return car.signer.report_trip(
        trip_id=os.urandom(16), started_at=GENESIS + hour * HOUR,
        ended_at=GENESIS + hour * HOUR + 1_800, odometer_start_m=odometer,
        odometer_end_m=odometer + 20_000, distance_m=20_000,
    )


def test_a_refused_report_of_a_registered_car_is_an_event_and_garbage_is_not(
    database: Database, clock: ManualClock, enroll: Any
) -> None:
    car = enroll()
    clock.set(GENESIS + 20 * HOUR)
    good, rolled_back = trip(car, 8, 50_000), trip(car, 10, 0)  # the odometer went backwards
    verdicts = ingest(database, clock, [good, rolled_back, b"\x01", bytes(200)])
    assert verdicts[0].accepted and not verdicts[1].accepted
    again = ingest(database, clock, [rolled_back])  # judged before: nothing new
    assert again[0].replayed
    with database.session() as session:
        events = [e for e in events_after(session, 0) if e.type == "telemetry.report_rejected"]
        vehicle = vehicle_refs(session, [car.vehicle_id])[car.vehicle_id]
        owner = owner_address(session, car.owner_id)
    assert [(e.data["code"], e.data["vehicle"], e.data["owner"]) for e in events] == [
        (verdicts[1].code, vehicle, owner)
    ]
    assert events[0].data["report"] == "0x" + bytes(verdicts[1].report_hash or b"").hex()


def test_consent_granted_and_revoked_are_told_with_their_receipts(
    database: Database, clock: ManualClock, enroll: Any
) -> None:
    car = enroll(("mileage",))
    clock.advance(60)
    with database.transaction() as session:
        revocation = revoke_consent(
            session, clock, owner_id=car.owner_id, vehicle_id=car.vehicle_id, scope="mileage"
        )
    with database.session() as session:
        events = [e for e in events_after(session, 0) if e.type.startswith("consent.")]
    assert [e.type for e in events] == ["consent.granted", "consent.revoked"]
    assert events[1].data["receipt"] == "0x" + revocation.receipt.hash.hex()
    assert events[1].data["items_erased"] == revocation.deletion.items_erased
    assert all(e.data["scope"] == "mileage" for e in events)

