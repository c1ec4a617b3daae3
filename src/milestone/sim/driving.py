"""How people drive: commuters, weekend drivers and occasional drivers, now and then at night.

A habit turns a day into trips (start, minutes, kilometres); `HonestVehicle` signs them. Times
are true UTC instants; day trips start after 07:00 and end by 22:00. On a small, seeded share of
days (`NIGHT_TRIP_PERCENT`) a car also drives once at night, 22:00 to 06:00 UTC: between 00:15
and 06:00, or between 22:00 and 23:20, so a day's reports have all arrived (at most 30 minutes
after a trip) before the epoch closes. Night rounds have few drivers: the demo needs them to
show that a lone driver earns per kilometre what the rush hour earns.

The fleet's week is counted from the simulation's first day, a Monday, not from the calendar:
the same seed then drives the same week whatever day the demo runs, and a run of whole weeks
compares like with like (a weekend's long trips pay fewer stones per kilometre than commutes).
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from typing import Final

DAY: Final[int] = 86_400
HOUR: Final[int] = 3_600
MINUTE: Final[int] = 60
IDLE_DAY_PERCENT: Final[int] = 8
"""On any day a car may stay parked: holidays, illness, working from home."""
LAST_ARRIVAL: Final[int] = 22 * HOUR + 30 * MINUTE
NIGHT_TRIP_PERCENT: Final[int] = 4
"""The chance, per car and day, of one trip at night (22:00 to 06:00 UTC)."""

HABITS: Final[tuple[str, ...]] = ("commuter", "weekender", "occasional")
HABIT_WEIGHTS: Final[tuple[int, ...]] = (60, 25, 15)


@dataclass(frozen=True, slots=True)
class PlannedTrip:
    """A trip to drive: its true start instant, duration and distance."""

    started_at: int
    duration_s: int
    distance_m: int


def weekday_of(day: int) -> int:
    """0 for Monday ... 6 for Sunday, for the simulation's `day` (day 0 is a Monday)."""
    return day % 7


def choose_habit(rng: random.Random) -> str:
    """A habit, weighted as a car maker's fleet is: mostly commuters."""
    return rng.choices(HABITS, HABIT_WEIGHTS)[0]


def plan_day(habit: str, day: int, midnight: int, rng: random.Random) -> list[PlannedTrip]:
    """The trips of one car on simulated `day`, which starts at `midnight`, in order, never
    overlapping."""
    night = plan_night_trip(midnight, rng) if rng.randrange(100) < NIGHT_TRIP_PERCENT else None
    if rng.randrange(100) < IDLE_DAY_PERCENT:
        return [night] if night else []
    weekend = weekday_of(day) >= 5
    legs: list[tuple[int, int, int]] = []  # (earliest start s after midnight, minutes, km)
    if habit == "commuter" and not weekend:
        minutes = rng.randint(15, 50)
        km = minutes * rng.randint(25, 60) // 60  # town and ring road: 25 to 60 km/h
        legs.append((7 * HOUR + rng.randint(0, 90 * MINUTE), minutes, km))
        if rng.randrange(100) < 30:
            legs.append((12 * HOUR + rng.randint(0, HOUR), rng.randint(10, 25), rng.randint(3, 8)))
        legs.append((17 * HOUR + rng.randint(0, 2 * HOUR), minutes + rng.randint(-5, 15), km))
    elif habit == "commuter" or (habit == "weekender" and weekend):
        if rng.randrange(100) < 70:
            minutes = rng.randint(40, 180)
            km = minutes * rng.randint(50, 95) // 60
            legs.append((9 * HOUR + rng.randint(0, 2 * HOUR), minutes, km))
            legs.append((15 * HOUR + rng.randint(0, 2 * HOUR), minutes, km))
    elif habit == "weekender" or rng.randrange(100) < 25:
        legs.append((10 * HOUR + rng.randint(0, 8 * HOUR), rng.randint(10, 40), rng.randint(3, 10)))
    trips = _schedule(legs, midnight)
    if night is None:
        return trips
    return sorted([*trips, night], key=lambda trip: trip.started_at)


def plan_night_trip(midnight: int, rng: random.Random) -> PlannedTrip:
    """One trip at night: 10 to 40 minutes at 40 to 90 km/h, after midnight or late evening.

    Either window keeps clear of the day's trips (07:00 to 22:00) and ends early enough for its
    report to arrive before the epoch closes.
    """
    minutes = rng.randint(10, 40)
    km = max(minutes * rng.randint(40, 90) // 60, 1)
    if rng.randrange(2):
        started_at = midnight + 15 * MINUTE + rng.randint(0, 5 * HOUR)
    else:
        started_at = midnight + 22 * HOUR + rng.randint(0, 40 * MINUTE)
    return PlannedTrip(started_at, minutes * MINUTE, km * 1_000)


def _schedule(legs: list[tuple[int, int, int]], midnight: int) -> list[PlannedTrip]:
    trips: list[PlannedTrip] = []
    free_at = midnight
    for earliest, minutes, km in legs:
        started_at = max(midnight + earliest, free_at)
        duration_s = max(minutes, 5) * MINUTE
        if started_at + duration_s > midnight + LAST_ARRIVAL - 30 * MINUTE:
            break  # too late: nobody in this fleet drives at night
        trips.append(PlannedTrip(started_at, duration_s, max(km, 1) * 1_000))
        free_at = started_at + duration_s + 20 * MINUTE
    return trips
