"""Attackers: cars whose reports lie, each lie one the intake must refuse with its own code.

On a day it attacks, an attacker's car sends only its lie; on other days it drives honestly,
from wherever the lie left its odometer, and those reports are accepted.
"""

from __future__ import annotations

import random
from typing import Final

from nacl.signing import SigningKey

from milestone.vehicle import VehicleSigner
from milestone.vehicle.driving import HonestVehicle

HOUR: Final[int] = 3_600
ATTACKS: Final[tuple[str, ...]] = (
    "forged_key", "impossible_speed", "odometer_rollback", "from_the_future", "garbage",
)


def forge_report(
    car: HonestVehicle, attack: str, now: int, rng: random.Random, reported_odometer_m: int | None
) -> bytes:
    """The envelope of one lying report from `car`, sent at `now`; `reported_odometer_m` is where
    the intake's chain of the car's reports ends (None before its first report).

    A rollback goes back behind what the car has reported, not behind its true odometer: the
    car may have driven further than it has reported yet, and a report that starts past the last
    reported odometer is, to anyone, an ordinary trip. Before the car's first report there is
    nothing to roll back from: the caller picks another lie.

    A report signed with the car's own key that is consistent in itself moves the intake's
    cursor even when refused (a rolled-back odometer), so the tampered odometer is where the
    car's next honest report starts from; one that contradicts itself (300 km in half an
    hour) or the clock does not, and the car carries on from its true odometer
    (docs/telemetry.md). A rollback needs a trip on record to roll back from: the caller
    sends one only to a car that has one.
    """
    reading = car.odometer_reading()
    if attack == "garbage":
        return rng.randbytes(rng.randint(10, 300))
    signer = car.signer
    if attack == "forged_key":
        signer = VehicleSigner(signer.vehicle_id, SigningKey(rng.randbytes(32)),
                               last_sequence=signer.last_sequence)
    start, minutes, start_m, end_m = now - 2 * HOUR, 30, reading, reading + 20_000
    if attack == "impossible_speed":
        end_m = reading + 300_000  # 300 km in half an hour
    elif attack == "odometer_rollback":
        assert reported_odometer_m is not None
        start_m = max(reported_odometer_m - 50_000, 0)
        end_m = max(reported_odometer_m - 30_000, 0) + 10
    elif attack == "from_the_future":
        start = now + 3 * HOUR
    envelope = signer.report_trip(
        trip_id=rng.randbytes(16), started_at=start, ended_at=start + minutes * 60,
        odometer_start_m=start_m, odometer_end_m=end_m, distance_m=end_m - start_m,
    )
    if attack == "odometer_rollback":
        car.true_odometer_m = end_m
    return envelope
