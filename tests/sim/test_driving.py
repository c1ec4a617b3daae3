"""Driving habits: nobody drives at night, trips never overlap, the same seed drives the same."""

from __future__ import annotations

import random

from hypothesis import given
from hypothesis import strategies as st

from milestone.sim.driving import DAY, HABITS, HOUR, LAST_ARRIVAL, plan_day, weekday_of

MONDAY = 1_767_571_200  # 2026-01-05, a Monday at UTC midnight


def test_weekdays_are_counted_from_a_thursday() -> None:
    assert weekday_of(0) == 3
    assert weekday_of(MONDAY) == 0
    assert weekday_of(MONDAY + 6 * DAY) == 6


@given(st.sampled_from(HABITS), st.integers(0, 6), st.integers(0, 2**32))
def test_trips_are_by_day_in_order_and_apart(habit: str, day: int, seed: int) -> None:
    midnight = MONDAY + day * DAY
    trips = plan_day(habit, midnight, random.Random(seed))
    ends = midnight
    for trip in trips:
        assert trip.started_at >= midnight + 6 * HOUR  # no night driving
        assert trip.started_at + trip.duration_s <= midnight + LAST_ARRIVAL - 30 * 60
        assert trip.started_at >= ends
        assert 0 < trip.distance_m * 3_600 // trip.duration_s <= 100_000  # at most 100 km/h
        ends = trip.started_at + trip.duration_s


def test_commuters_drive_more_on_weekdays_than_occasional_drivers() -> None:
    rng = random.Random(1)
    commuter = sum(len(plan_day("commuter", MONDAY, rng)) for _ in range(200))
    occasional = sum(len(plan_day("occasional", MONDAY, rng)) for _ in range(200))
    assert commuter > 3 * occasional


def test_the_same_seed_plans_the_same_days() -> None:
    first = [plan_day("weekender", MONDAY + d * DAY, random.Random(9)) for d in range(7)]
    again = [plan_day("weekender", MONDAY + d * DAY, random.Random(9)) for d in range(7)]
    other = [plan_day("weekender", MONDAY + d * DAY, random.Random(10)) for d in range(7)]
    assert first == again
    assert first != other
