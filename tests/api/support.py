"""Helpers the API tests share."""

from __future__ import annotations

from typing import Any

from milestone.api.problems import PROBLEM_MEDIA_TYPE
from milestone.clock import ManualClock
from milestone.vehicle import VehicleSigner

PASSWORD = "correct horse battery"


def assert_problem(response: Any, status: int, code: str) -> dict[str, Any]:
    """The response is a problem+json document with this status and code."""
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == PROBLEM_MEDIA_TYPE
    body: dict[str, Any] = response.json()
    assert body["code"] == code and body["status"] == status
    assert body["type"] == f"urn:milestone:problem:{code}"
    return body


def drive(signer: VehicleSigner, clock: ManualClock, trips: int, odometer: int = 0) -> list[str]:
    """Envelopes of consecutive 10 km trips ending before now, as 0x-hex."""
    envelopes = []
    start = clock.now()
    clock.advance(trips * 1_800 + 600)
    for index in range(trips):
        began = start + index * 1_800
        envelopes.append(
            "0x"
            + signer.report_trip(
                trip_id=bytes([index + 1]) * 16,
                started_at=began,
                ended_at=began + 1_200,
                odometer_start_m=odometer + index * 10_000,
                odometer_end_m=odometer + (index + 1) * 10_000,
                distance_m=10_000,
            ).hex()
        )
    return envelopes
