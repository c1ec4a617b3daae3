"""The honest driver: its reports are consistent trip after trip."""

from __future__ import annotations

import itertools
import random

from hypothesis import given, settings
from hypothesis import strategies as st

from milestone.rules.reports import decode_envelope
from milestone.vehicle import VehicleSigner, generate_signing_key
from milestone.vehicle.driving import DAY, HonestVehicle, simulate_fleet

GENESIS = 1_767_225_600


@settings(max_examples=20, deadline=None)
@given(st.integers(min_value=0, max_value=2**32), st.integers(min_value=1, max_value=5))
def test_an_honest_vehicles_reports_continue_each_other(seed: int, days: int) -> None:
    rng = random.Random(seed)
    car = HonestVehicle(VehicleSigner(1, generate_signing_key()), rng,
                        odometer_m=rng.randrange(10**7), clock_offset_s=rng.randint(-120, 120))
    uploads = simulate_fleet([car], GENESIS, days)
    reports = [decode_envelope(u.envelope).report for u in uploads]
    assert [r.sequence for r in reports] == list(range(1, len(reports) + 1))
    for before, after in itertools.pairwise(reports):
        assert after.odometer_start_m == before.odometer_end_m
        assert after.started_at >= before.ended_at
    for upload, report in zip(uploads, reports, strict=True):
        assert upload.sent_at >= upload.ended_at
        assert report.ended_at - report.started_at == upload.ended_at - upload.started_at
        assert abs(report.distance_m - (report.odometer_end_m - report.odometer_start_m)) <= (
            10 + report.distance_m // 50
        )
        assert GENESIS + 6 * 3_600 <= upload.started_at < GENESIS + days * DAY
    assert [u.sent_at for u in uploads] == sorted(u.sent_at for u in uploads)
