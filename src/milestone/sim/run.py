"""The simulation itself: day by day, every event at its instant, through the real services.

A day is a list of events (new owners, deliveries, trips, check-ins, orders, the operator's
moves, attacks), each with the instant it happens; they run in time order on a `ManualClock`,
each in its own transaction as an app request would. Just after an epoch closes (its end plus
the settlement grace) the caller's `on_epoch_closed` runs, which is where the demo settles it,
so the activity budget it releases is there for the next day's check-ins and campaign.
"""

from __future__ import annotations

import heapq
import random
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import partial
from typing import Final

from milestone.clock import ManualClock
from milestone.program.service import create_program
from milestone.rules.params import Parameters, get_preset, override_parameters
from milestone.settings import DEFAULT_SETTLE_GRACE_SECONDS
from milestone.sim import actions
from milestone.sim.config import DAY, SimConfig
from milestone.sim.driving import HOUR, plan_day
from milestone.sim.state import Car, SimStats, World
from milestone.storage import Database
from milestone.telemetry.intake import ingest
from milestone.vehicle.driving import Upload

UPLOAD_BATCH: Final[int] = 500
SHOPPING_PERCENT: Final[int] = 10
DEFAULT_GRACE: Final[int] = DEFAULT_SETTLE_GRACE_SECONDS

Event = tuple[int, int, Callable[[], None]]


def demo_parameters(config: SimConfig) -> Parameters:
    """The preset, with the spend lock the demo uses (so that orders happen within the run)."""
    return override_parameters(
        get_preset(config.preset), {"spend_lock_days": config.spend_lock_days}
    )


def create_demo_program(database: Database, clock: ManualClock, config: SimConfig,
                        genesis: int) -> None:
    """The program the simulation runs, created at `genesis` (a UTC midnight)."""
    clock.set(genesis)
    with database.transaction() as session:
        create_program(session, clock, demo_parameters(config), genesis=genesis)


@dataclass
class Simulation:
    """A seeded fleet and its program, run day by day."""

    database: Database
    clock: ManualClock
    config: SimConfig
    genesis: int
    grace_seconds: int = DEFAULT_GRACE
    world: World = field(init=False)

    def __post_init__(self) -> None:
        self.world = World(self.database, self.clock, random.Random(self.config.seed),
                           demo_parameters(self.config), genesis=self.genesis,
                           grace_seconds=self.grace_seconds)

    def run(
        self,
        on_epoch_closed: Callable[[int], None] | None = None,
        on_day: Callable[[int], None] | None = None,
    ) -> SimStats:
        """Simulate every day; `on_epoch_closed(e)` runs once epoch `e` may be settled."""
        world, config = self.world, self.config
        self._on_closed = on_epoch_closed
        # The founding fleet is on the road, consents given, from the first instant of genesis.
        self._at(self.genesis)
        actions.open_program(world, config)
        founders = [
            actions.enrol_owner(world, self.genesis, attacker=index < config.attackers)
            for index in range(config.vehicles)
        ]
        actions.create_logins(world, founders[config.attackers : config.attackers + 3])
        for day in range(config.days):
            events = self._plan(day)
            self._play(day, events)
            if on_day is not None:
                on_day(day)
        if on_epoch_closed is not None:
            self._at(self.genesis + config.days * DAY + self.grace_seconds)
            on_epoch_closed(config.days - 1)
        return world.stats

    def _plan(self, day: int) -> list[Event]:
        world, config, rng = self.world, self.config, self.world.rng
        midnight = self.genesis + day * DAY
        events: list[Event] = []
        order = iter(range(10**9))

        def at(instant: int, action: Callable[[], None]) -> None:
            events.append((instant, next(order), action))

        for _ in range(config.new_owners_on(day, rng.randrange(10_000))):
            joined = midnight + rng.randint(9 * HOUR, 18 * HOUR)
            at(joined, partial(actions.new_buyer, world, joined))
        for car in list(world.cars.values()):
            if car.attacker and rng.randrange(100) < 60:
                sent = midnight + rng.randint(11 * HOUR, 21 * HOUR)
                at(sent, partial(actions.attack, world, car, sent))
                continue
            for trip in plan_day(car.habit, day, midnight, rng):
                upload = car.vehicle.drive(trip.started_at, trip.duration_s, trip.distance_m)
                at(upload.sent_at, _Upload(car, upload))
        for owner in list(world.owners.values()):
            if owner.has_car and rng.randrange(100) < owner.checkin_percent:
                checked = midnight + rng.randint(7 * HOUR, 22 * HOUR)
                at(checked, partial(actions.check_in_owner, world, owner.id))
            if owner.has_car and rng.randrange(100) < SHOPPING_PERCENT:
                shopping = midnight + rng.randint(10 * HOUR, 20 * HOUR)
                at(shopping, partial(actions.shop, world, owner.id, shopping))
        for instant, action in world.scheduled.pop(day, []):
            at(instant, action)
        self._plan_operator(day, midnight, at)
        return events

    def _plan_operator(self, day: int, midnight: int,
                       at: Callable[[int, Callable[[], None]], None]) -> None:
        world, config = self.world, self.config
        if day >= 1 and self._on_closed is not None:
            at(midnight + self.grace_seconds, lambda: self._close(day - 1))
        if day == max(1, config.days // 3):
            at(midnight + 8 * HOUR, lambda: actions.launch_campaign(world, midnight, config.days))
        if day >= max(1, config.days // 3):
            at(midnight + 21 * HOUR, lambda: actions.reward_campaign(world, midnight))
        if day == config.days // 2:
            at(midnight + 12 * HOUR, lambda: actions.revoke_some(world))
        if day == config.days - 1 and day >= 1 and config.dividend_fen > 0:
            # on yesterday's holdings, settled this morning: today's settlement commits it
            at(midnight + 12 * HOUR,
               lambda: actions.declare_demo_dividend(world, day - 1, config.dividend_fen))

    _on_closed: Callable[[int], None] | None = None

    def _close(self, epoch: int) -> None:
        if self._on_closed is not None:
            self._on_closed(epoch)

    def _play(self, day: int, events: list[Event]) -> None:
        """Run the day's events in time order; an event may add later ones to the same day."""
        queue = list(events)
        heapq.heapify(queue)
        order = iter(range(len(events), 10**9))
        self.world.today = (
            day, lambda instant, action: heapq.heappush(queue, (instant, next(order), action))
        )
        batch: list[_Upload] = []
        while queue:
            instant, _, action = heapq.heappop(queue)
            if isinstance(action, _Upload):
                batch.append(action)
                if len(batch) < UPLOAD_BATCH:
                    continue
                self._flush(batch)
                batch = []
                continue
            self._flush(batch)
            batch = []
            self._at(instant)
            action()
        self._flush(batch)
        self.world.today = None

    def _flush(self, batch: list[_Upload]) -> None:
        if not batch:
            return
        self._at(max(item.upload.sent_at for item in batch))
        envelopes = [item.upload.envelope for item in batch]
        verdicts = ingest(self.database, self.clock, envelopes, grace_seconds=self.grace_seconds)
        for item, verdict in zip(batch, verdicts, strict=True):
            self.world.count_verdict(
                item.car, verdict.code, item.upload.distance_m, item.upload.started_at
            )

    def _at(self, instant: int) -> None:
        self.clock.set(max(self.clock.now(), instant))


@dataclass(frozen=True)
class _Upload:
    """An upload waiting for its batch; calling it is never needed (the batch sends it)."""

    car: Car
    upload: Upload

    def __call__(self) -> None:  # pragma: no cover - uploads go out in batches
        raise AssertionError("uploads are sent in batches")


def simulate(
    database: Database,
    clock: ManualClock,
    config: SimConfig,
    genesis: int,
    on_epoch_closed: Callable[[int], None] | None = None,
    on_day: Callable[[int], None] | None = None,
    grace_seconds: int = DEFAULT_GRACE,
) -> SimStats:
    """Create the program at `genesis`, then run the whole simulation; see `Simulation`."""
    create_demo_program(database, clock, config, genesis)
    simulation = Simulation(database, clock, config, genesis, grace_seconds)
    return simulation.run(on_epoch_closed, on_day)

