"""An attacker's rollback lies behind what its car has reported, so the intake always sees it."""

from __future__ import annotations

import random
from typing import Any

from milestone.clock import ManualClock
from milestone.sim.attacks import forge_report
from milestone.storage import Database
from milestone.telemetry.intake import ingest
from milestone.telemetry.queries import reported_odometer
from milestone.vehicle.driving import HonestVehicle

HOUR = 3_600


def test_a_rollback_starts_behind_the_last_report_even_when_the_car_drove_further(
    database: Database, clock: ManualClock, enroll: Any
) -> None:
    car = HonestVehicle(enroll().signer, random.Random(1), odometer_m=200_000_000)
    clock.set(clock.now() + 8 * HOUR)
    reported = car.drive(clock.now() - 2 * HOUR, HOUR, 60_000)
    [verdict] = ingest(database, clock, [reported.envelope])
    assert verdict.code == "accepted"
    car.drive(clock.now() - HOUR // 2, 20 * 60, 200_000)  # driven, not reported yet
    with database.session() as session:
        last = reported_odometer(session, car.signer.vehicle_id)
    assert last is not None and car.odometer_reading() - last >= 50_000
    clock.set(clock.now() + 3 * HOUR)  # past both trips: only the odometer gives it away
    lie = forge_report(car, "odometer_rollback", clock.now(), random.Random(2), last)
    [refused] = ingest(database, clock, [lie])
    assert refused.code in {"odometer_overlap", "odometer_backwards"}
