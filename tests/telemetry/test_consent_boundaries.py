"""Consent boundaries, end to end: a trip is mined only if one `mileage` grant covers all of it.

A trip that starts before the grant, or ends after the revocation, is rejected with
`no_mileage_consent` and leaves no meters; a trip entirely inside the grant is accepted. Each
example enrols a fresh car, grants, maybe revokes, then uploads one trip, on both databases.
"""

from __future__ import annotations

import os
from typing import Any

from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select

from milestone.clock import ManualClock
from milestone.consent.service import revoke_consent
from milestone.storage import Database
from milestone.telemetry.intake import ingest
from milestone.telemetry.models import TripRound

GENESIS = 1_767_225_600  # as tests/conftest.py
MINUTE = 60
DAY = 86_400

offsets = st.integers(min_value=0, max_value=240)  # minutes after the base instant


@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@example(grant=60, revoke_after=None, start=60, minutes=30)  # starts at the grant: mined
@example(grant=60, revoke_after=None, start=59, minutes=30)  # a minute early: not mined
@example(grant=0, revoke_after=90, start=60, minutes=30)  # ends at the revocation: mined
@example(grant=0, revoke_after=89, start=60, minutes=30)  # a minute late: not mined
@example(grant=0, revoke_after=0, start=0, minutes=1)  # revoked at once: nothing is covered
@given(
    grant=offsets,
    revoke_after=st.one_of(st.none(), st.integers(min_value=0, max_value=240)),
    start=offsets,
    minutes=st.integers(min_value=1, max_value=90),
)
def test_only_trips_inside_a_grant_are_mined(
    database: Database,
    clock: ManualClock,
    enroll: Any,
    grant: int,
    revoke_after: int | None,
    start: int,
    minutes: int,
) -> None:
    # The next midnight: every instant of the example lies in one epoch, whose trips the
    # intake still takes when it judges them (hours later, after the revocation).
    base = GENESIS + ((clock.now() - GENESIS) // DAY + 1) * DAY
    clock.set(base + grant * MINUTE)
    car = enroll(scopes=("mileage",))
    granted_at = clock.now()
    revoked_at = None
    if revoke_after is not None:
        clock.set(granted_at + revoke_after * MINUTE)
        with database.transaction() as session:
            revoke_consent(
                session, clock, owner_id=car.owner_id, vehicle_id=car.vehicle_id, scope="mileage"
            )
        revoked_at = clock.now()
    started_at = base + start * MINUTE
    ended_at = started_at + minutes * MINUTE
    envelope = car.signer.report_trip(
        trip_id=os.urandom(16),
        started_at=started_at,
        ended_at=ended_at,
        odometer_start_m=0,
        odometer_end_m=minutes * 1_000,  # 60 km/h
        distance_m=minutes * 1_000,
    )
    clock.set(max(clock.now(), ended_at))
    verdict = ingest(database, clock, [envelope])[0]

    inside = granted_at <= started_at and (revoked_at is None or ended_at <= revoked_at)
    assert verdict.accepted == inside
    if not inside:
        assert verdict.code == "no_mileage_consent"
    with database.session() as session:
        mined = session.execute(
            select(func.coalesce(func.sum(TripRound.meters), 0)).where(
                TripRound.vehicle_id == car.vehicle_id
            )
        ).scalar_one()
    assert mined == (minutes * 1_000 if inside else 0)
