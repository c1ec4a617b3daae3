"""An honest car on the road: trips with a real odometer, a slightly imperfect distance sensor,
a slightly wrong clock, and reports uploaded in order some minutes after each trip.

The tests use it to show that honest driving is never rejected, and the benchmark and the
simulator use it to produce realistic reports.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from typing import Final

from milestone.rules.reports import TripBehaviour
from milestone.vehicle.signer import VehicleSigner

DAY: Final[int] = 86_400
ODOMETER_RESOLUTION_M: Final[int] = 10
"""The odometer the car reports counts 10 m steps (the dashboard rounds further)."""
SENSOR_ERROR_BPS: Final[int] = 100
"""The trip distance sensor is off by at most 1% of the true distance."""


@dataclass(frozen=True, slots=True)
class Upload:
    """A signed report and the instant the car sends it."""

    sent_at: int
    envelope: bytes
    started_at: int
    ended_at: int
    distance_m: int


class HonestVehicle:
    """A car driven honestly; its reports are signed by its `VehicleSigner`."""

    def __init__(
        self,
        signer: VehicleSigner,
        rng: random.Random,
        *,
        odometer_m: int = 0,
        clock_offset_s: int = 0,
        with_behaviour: bool = True,
    ) -> None:
        self.signer = signer
        self.rng = rng
        self.true_odometer_m = odometer_m
        self.clock_offset_s = clock_offset_s
        self.with_behaviour = with_behaviour
        self.free_at = 0

    def odometer_reading(self) -> int:
        """What the dashboard shows: the true odometer rounded down to its resolution."""
        return self.true_odometer_m // ODOMETER_RESOLUTION_M * ODOMETER_RESOLUTION_M

    def drive(self, started_at: int, duration_s: int, true_distance_m: int) -> Upload:
        """Drive one trip and sign its report; instants are true time, the car adds its offset."""
        odometer_start = self.odometer_reading()
        self.true_odometer_m += true_distance_m
        error_bps = self.rng.randint(-SENSOR_ERROR_BPS, SENSOR_ERROR_BPS)
        measured_m = max(true_distance_m + true_distance_m * error_bps // 10_000, 0)
        ended_at = started_at + duration_s
        envelope = self.signer.report_trip(
            trip_id=self.rng.randbytes(16),
            started_at=started_at + self.clock_offset_s,
            ended_at=ended_at + self.clock_offset_s,
            odometer_start_m=odometer_start,
            odometer_end_m=self.odometer_reading(),
            distance_m=measured_m,
            behaviour=self.observe_behaviour(duration_s) if self.with_behaviour else None,
        )
        sent_at = max(ended_at + self.rng.randint(0, 1_800), self.free_at)
        self.free_at = sent_at
        return Upload(sent_at, envelope, started_at, ended_at, measured_m)

    def observe_behaviour(self, duration_s: int) -> TripBehaviour:
        """A plausible behaviour summary for a trip of `duration_s`."""
        return TripBehaviour(
            harsh_brakes=self.rng.randint(0, 3),
            harsh_accelerations=self.rng.randint(0, 3),
            speeding_seconds=self.rng.randint(0, duration_s // 20),
        )

    def drive_day(self, day_start: int) -> list[Upload]:
        """Zero to four trips between 06:00 and midnight, each 5 to 120 minutes at 15 to
        110 km/h on average; the last one may run past midnight."""
        uploads = []
        clock = day_start + 6 * 3_600
        for _ in range(self.rng.randint(0, 4)):
            started_at = clock + self.rng.randint(0, 4 * 3_600)
            if started_at >= day_start + DAY:
                break
            duration_s = self.rng.randint(5 * 60, 120 * 60)
            speed_kmh = self.rng.randint(15, 110)
            distance_m = speed_kmh * 1_000 * duration_s // 3_600
            uploads.append(self.drive(started_at, duration_s, distance_m))
            clock = started_at + duration_s + 10 * 60
        return uploads


def simulate_fleet(vehicles: list[HonestVehicle], first_day: int, days: int) -> list[Upload]:
    """Every upload of the fleet over `days` days from the UTC midnight `first_day`, in the
    order they reach the program."""
    uploads = [
        upload
        for day in range(days)
        for vehicle in vehicles
        for upload in vehicle.drive_day(first_day + day * DAY)
    ]
    return sorted(uploads, key=lambda upload: upload.sent_at)
