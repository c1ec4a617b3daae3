"""Driving habits: a few trips at night, trips never overlap, the same seed drives the same."""

from __future__ import annotations

import random

from hypothesis import given
from hypothesis import strategies as st

from milestone.sim.driving import (
    DAY,
    HABITS,
    HOUR,
    MINUTE,
    NIGHT_TRIP_PERCENT,
    plan_day,
    weekday_of,
)

MIDNIGHT = 1_767_830_400  # 2026-01-08, a Thursday: the calendar does not matter


def test_the_week_starts_on_the_first_simulated_day() -> None:
    assert [weekday_of(day) for day in range(9)] == [0, 1, 2, 3, 4, 5, 6, 0, 1]


def test_the_weekend_is_the_simulations_not_the_calendars() -> None:
    rng = random.Random(3)

    def meters(day: int) -> int:
        trips = (plan_day("weekender", day, MIDNIGHT, rng) for _ in range(200))
        return sum(trip.distance_m for day_trips in trips for trip in day_trips)

    assert meters(5) > 5 * meters(0)  # Saturday's long trips against Monday's errand


@given(st.sampled_from(HABITS), st.integers(0, 6), st.integers(0, 2**32))
def test_trips_are_by_day_in_order_and_apart(habit: str, day: int, seed: int) -> None:
    midnight = MIDNIGHT + day * DAY
    trips = plan_day(habit, day, midnight, random.Random(seed))
    ends = midnight
    for trip in trips:
        end = trip.started_at + trip.duration_s
        assert trip.started_at >= midnight
        assert end <= midnight + 23 * HOUR + 30 * MINUTE  # reported before the epoch closes
        assert trip.started_at >= ends
        assert 0 < trip.distance_m * 3_600 // trip.duration_s <= 100_000  # at most 100 km/h
        ends = trip.started_at + trip.duration_s


def test_commuters_drive_more_on_weekdays_than_occasional_drivers() -> None:
    rng = random.Random(1)
    commuter = sum(len(plan_day("commuter", 0, MIDNIGHT, rng)) for _ in range(200))
    occasional = sum(len(plan_day("occasional", 0, MIDNIGHT, rng)) for _ in range(200))
    assert commuter > 3 * occasional


def test_the_same_seed_plans_the_same_days() -> None:
    first = [plan_day("weekender", d, MIDNIGHT + d * DAY, random.Random(9)) for d in range(7)]
    again = [plan_day("weekender", d, MIDNIGHT + d * DAY, random.Random(9)) for d in range(7)]
    other = [plan_day("weekender", d, MIDNIGHT + d * DAY, random.Random(10)) for d in range(7)]
    assert first == again
    assert first != other


def test_a_small_seeded_share_of_trips_is_at_night() -> None:
    """Night is 22:00 to 06:00 UTC: a few percent of trips, never none over a fleet's month."""
    rng = random.Random(5)
    trips = [
        trip
        for day in range(28)
        for habit in HABITS
        for _ in range(30)
        for trip in plan_day(habit, day, MIDNIGHT + day * DAY, rng)
    ]
    night = [t for t in trips if not 6 * HOUR <= (t.started_at - MIDNIGHT) % DAY < 22 * HOUR]
    assert 0 < len(night) < len(trips) * 2 * NIGHT_TRIP_PERCENT // 100
    day_trips = [t for t in trips if t not in night]
    assert all((t.started_at - MIDNIGHT) % DAY >= 7 * HOUR for t in day_trips)
