"""What the simulation keeps between days: its cars and owners, and what it counted."""

from __future__ import annotations

import random
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field

from milestone.clock import ManualClock
from milestone.rules.params import Parameters
from milestone.settings import DEFAULT_SETTLE_GRACE_SECONDS
from milestone.storage import Database
from milestone.vehicle.driving import HonestVehicle

ACCEPTED = "accepted"


@dataclass
class Car:
    """A car on the road: its signer and odometer, its owner and its driver's habit."""

    vehicle_id: int
    owner_id: int
    habit: str
    vehicle: HonestVehicle
    vin: str
    attacker: bool = False
    on_record: bool = False
    """Whether the intake accepted a trip of this car: a rolled-back odometer is a lie about
    where the car was, which only a previous trip on record can show."""


@dataclass
class SimOwner:
    """An owner as the simulation sees them: habits in the app, their car once delivered."""

    id: int
    joined_day: int
    checkin_percent: int
    behaviour_consent: bool
    referral_code: str | None = None
    has_car: bool = False
    attacker: bool = False


@dataclass
class SimStats:
    """Everything the simulation counted; the settled ledger is the authority on amounts."""

    owners: int = 0
    vehicles: int = 0
    uploads: int = 0
    accepted_trips: int = 0
    accepted_meters: int = 0
    rejections_by_code: Counter[str] = field(default_factory=Counter)
    attacks_by_kind: Counter[str] = field(default_factory=Counter)
    honest_rejections_by_code: Counter[str] = field(default_factory=Counter)
    """Refused honest reports (an attacker's car drives honestly on other days): only the cap
    and a withdrawn consent may refuse them."""
    checkins: int = 0
    referrals_registered: int = 0
    referrals_paid: int = 0
    campaign_participations: int = 0
    orders_placed: int = 0
    orders_fulfilled: int = 0
    orders_cancelled: int = 0
    consent_revocations: int = 0
    dividends_declared: int = 0
    refusals_by_code: Counter[str] = field(default_factory=Counter)
    """Owner and operator requests the services refused (not enough stones, budget, ...)."""
    meters_by_epoch: Counter[int] = field(default_factory=Counter)
    joined_day_of: dict[int, int] = field(default_factory=dict)


@dataclass
class World:
    """The simulation's state: the database and clock it drives, its seeded randomness."""

    database: Database
    clock: ManualClock
    rng: random.Random
    parameters: Parameters
    cars: dict[int, Car] = field(default_factory=dict)
    owners: dict[int, SimOwner] = field(default_factory=dict)
    stats: SimStats = field(default_factory=SimStats)
    scheduled: dict[int, list[tuple[int, Callable[[], None]]]] = field(default_factory=dict)
    """Events planned on an earlier day for a later one (deliveries, order steps), by day."""
    serial: int = 0
    merchant_id: int = 0
    items: list[tuple[int, int]] = field(default_factory=list)
    """The shop's (item id, price in pebbles)."""
    sales_system_id: int = 0
    sales_key: bytes = b""
    campaign_id: int | None = None
    genesis: int = 0
    grace_seconds: int = DEFAULT_SETTLE_GRACE_SECONDS
    """Settlement's grace, which the intake judges late trips by."""
    today: tuple[int, Callable[[int, Callable[[], None]], None]] | None = None
    """The day being played and how to add an event to it."""

    def day_of(self, instant: int) -> int:
        """The epoch (UTC day from genesis) of `instant`."""
        return (instant - self.genesis) // self.parameters.epoch_seconds

    def schedule(self, instant: int, action: Callable[[], None]) -> None:
        """Run `action` at `instant`: today's queue while a day plays, else that day's plan."""
        if self.today is not None and self.day_of(instant) == self.today[0]:
            self.today[1](instant, action)
        else:
            self.scheduled.setdefault(self.day_of(instant), []).append((instant, action))

    def count_verdict(
        self, car: Car, code: str, distance_m: int, started_at: int, *, lie: bool = False
    ) -> None:
        """Count the intake's verdict on one of `car`'s reports (`lie`: an attack's)."""
        self.stats.uploads += 1
        if code == ACCEPTED:
            car.on_record = True
            self.stats.accepted_trips += 1
            self.stats.accepted_meters += distance_m
            self.stats.meters_by_epoch[self.day_of(started_at)] += distance_m
        else:
            self.stats.rejections_by_code[code] += 1
            if not lie:
                self.stats.honest_rejections_by_code[code] += 1

    def refused(self, code: str) -> None:
        """Count a request a service refused, by its code."""
        self.stats.refusals_by_code[code] += 1
