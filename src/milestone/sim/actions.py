"""Each thing that happens in the simulation, done through the service that production uses.

Every action is one unit of work (one transaction), as one app or operator request would be. A
request the service refuses is counted by its error code and changes nothing, as in production.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Final

from nacl.signing import SigningKey
from sqlalchemy.orm import Session

from milestone.activities.budget import released_budget
from milestone.activities.campaigns import confirm_participation, create_campaign
from milestone.activities.checkin import check_in
from milestone.activities.referrals import (
    REWARDED,
    DeliveryConfirmation,
    confirm_delivery,
    referral_code_of,
    register_referral,
)
from milestone.activities.sales import register_sales_system
from milestone.auth.passwords import STRONG_HASHER
from milestone.auth.users import create_user
from milestone.consent.service import grant_consent, revoke_consent
from milestone.dividends.declare import declare_dividend
from milestone.errors import MilestoneError
from milestone.registry.owners import create_owner
from milestone.registry.vehicles import register_vehicle, transfer_vehicle
from milestone.registry.vin import synthetic_vin
from milestone.rules.activities import encode_delivery_confirmation
from milestone.rules.errors import RuleError
from milestone.rules.units import PEBBLES_PER_STONE
from milestone.sim.attacks import ATTACKS, forge_report
from milestone.sim.config import DAY, SimConfig
from milestone.sim.driving import HOUR, choose_habit
from milestone.sim.state import Car, SimOwner, World
from milestone.store.merchants import add_item, register_merchant
from milestone.store.orders import (
    Actor,
    cancel_order,
    confirm_order,
    fulfil_order,
    get_order,
    place_order,
)
from milestone.store.spending import spendable_of
from milestone.store.unlocks import certify
from milestone.telemetry.intake import ingest
from milestone.telemetry.queries import reported_odometer
from milestone.vehicle import VehicleSigner
from milestone.vehicle.driving import HonestVehicle

TERMS: Final[str] = "2026-01"
DEMO_PASSWORD: Final[str] = "milestone-demo"
"""The demo's log-ins share one password: a demonstration, never a deployment."""
MODELS: Final[tuple[str, ...]] = ("IM L6", "IM L7", "IM LS6", "IM LS7")
SHOP: Final[tuple[tuple[str, str, int], ...]] = (
    # sku, title, price in tenths of an owner's first-day share of the mining budget
    ("CAP-01", "Milestone cap", 5),
    ("WASH-1", "Car wash voucher", 10),
    ("CHG-50", "50 kWh of charging", 25),
    ("MODEL-7", "1:18 scale IM L7", 80),
)


@contextmanager
def request(world: World) -> Iterator[Session]:
    """One request's transaction; a refusal is counted by its code and rolled back."""
    try:
        with world.database.transaction() as session:
            yield session
    except (MilestoneError, RuleError) as refusal:
        world.refused(refusal.code)


def open_program(world: World, config: SimConfig) -> None:
    """The operator's first day: a shop with a price list, and the sales system's key."""
    share = world.parameters.mining.initial_per_epoch // max(config.vehicles, 1)
    sales_key = SigningKey(world.rng.randbytes(32))
    with world.database.transaction() as session:
        merchant, _ = register_merchant(session, world.clock, "IM Lifestyle Store", "shop")
        world.merchant_id = merchant.id
        for sku, title, tenths in SHOP:
            price = max(share * tenths // 10 // PEBBLES_PER_STONE, 1) * PEBBLES_PER_STONE
            item = add_item(session, world.clock, merchant.id, sku=sku, title=title, price=price)
            world.items.append((item.id, price))
        system, _ = register_sales_system(
            session, world.clock, "IM sales (DMS)", bytes(sales_key.verify_key)
        )
    world.sales_system_id, world.sales_key = system.id, bytes(sales_key)


def enrol_owner(world: World, instant: int, *, attacker: bool = False) -> int:
    """A new owner in the app (certified, habits drawn); returns their id."""
    rng = world.rng
    with world.database.transaction() as session:
        owner = create_owner(session, world.clock)
        certify(session, world.clock, owner.id)
        code = referral_code_of(session, world.clock, owner.id) if rng.randrange(100) < 30 else None
    world.owners[owner.id] = SimOwner(
        id=owner.id, joined_day=world.day_of(instant), checkin_percent=rng.choice((5, 30, 60, 90)),
        behaviour_consent=rng.randrange(100) < 60, referral_code=code, attacker=attacker,
    )
    world.stats.owners += 1
    world.stats.joined_day_of[owner.id] = world.day_of(instant)
    deliver_car(world, owner.id, instant)
    return owner.id


def new_buyer(world: World, instant: int) -> None:
    """Someone buys a car: half of them name an owner's referral code on the order."""
    rng = world.rng
    codes = [o.referral_code for o in world.owners.values() if o.referral_code]
    if not codes or rng.randrange(100) >= 50:
        enrol_owner(world, instant)
        return
    with world.database.transaction() as session:
        buyer = create_owner(session, world.clock)
        certify(session, world.clock, buyer.id)
    world.owners[buyer.id] = SimOwner(
        id=buyer.id, joined_day=world.day_of(instant), checkin_percent=rng.choice((30, 60, 90)),
        behaviour_consent=rng.randrange(100) < 60,
    )
    world.stats.owners += 1
    world.stats.joined_day_of[buyer.id] = world.day_of(instant)
    order_id = f"SO-{world.day_of(instant):04d}-{buyer.id:06d}"
    with request(world) as session:
        register_referral(session, world.clock, order_id=order_id,
                          code=rng.choice(codes), buyer_id=buyer.id)
        world.stats.referrals_registered += 1
    delivered = (instant // DAY + rng.randint(1, 3)) * DAY + 10 * HOUR
    world.schedule(delivered, lambda: deliver_car(world, buyer.id, delivered, order_id))


def deliver_car(world: World, owner_id: int, instant: int, order_id: str | None = None) -> None:
    """The car is registered with its factory key and handed over; the owner consents."""
    rng, owner = world.rng, world.owners[owner_id]
    world.serial += 1
    key = SigningKey(rng.randbytes(32))
    vin = synthetic_vin(world.serial)
    with world.database.transaction() as session:
        vehicle = register_vehicle(session, world.clock, vin=vin, public_key=bytes(key.verify_key),
                                   model=rng.choice(MODELS))
        transfer_vehicle(session, world.clock, vehicle.id, owner_id)
        scopes = ["mileage"] + (["driving_behavior"] if owner.behaviour_consent else [])
        for scope in scopes:
            grant_consent(session, world.clock, owner_id=owner_id, vehicle_id=vehicle.id,
                          scope=scope, terms_version=TERMS)
    # a car already on the road has thousands of kilometres; a new one a few dozen
    odometer = rng.randint(1_000, 30_000) if order_id is None else rng.randint(5, 80)
    car = HonestVehicle(VehicleSigner(vehicle.id, key), rng, odometer_m=odometer * 1_000,
                        clock_offset_s=rng.randint(-60, 60),
                        with_behaviour=owner.behaviour_consent)
    world.cars[vehicle.id] = Car(vehicle.id, owner_id, choose_habit(rng), car, vin,
                                 attacker=owner.attacker)
    owner.has_car = True
    world.stats.vehicles += 1
    if order_id is not None:
        confirm_referred_delivery(world, owner_id, vin, order_id)


def confirm_referred_delivery(world: World, buyer_id: int, vin: str, order_id: str) -> None:
    """The sales system signs the delivery; the referral pays (or the service says why not)."""
    delivered_at = world.clock.now()
    message = encode_delivery_confirmation(order_id, vin, buyer_id, delivered_at)
    signature = SigningKey(world.sales_key).sign(message).signature
    confirmation = DeliveryConfirmation(order_id, vin, buyer_id, delivered_at, signature)
    with request(world) as session:
        referral = confirm_delivery(session, world.clock, world.sales_system_id, confirmation)
        if referral.referrer_outcome == REWARDED:
            world.stats.referrals_paid += 1
        else:
            world.refused(f"referral_{referral.referrer_outcome}")


def attack(world: World, car: Car, sent: int) -> None:
    """One lying report from an attacker's car, straight into the intake."""
    # A car with no trip on record has no odometer to roll back: its first report, whatever
    # the reading, is one the intake must accept (docs/telemetry.md).
    kinds = ATTACKS if car.on_record else tuple(k for k in ATTACKS if k != "odometer_rollback")
    kind = world.rng.choice(kinds)
    with world.database.session() as session:
        reported = reported_odometer(session, car.vehicle_id)
    if kind == "odometer_rollback" and reported is None:
        kind = "garbage"  # its trips on record were all refused: nothing to roll back behind
    envelope = forge_report(car.vehicle, kind, sent, world.rng, reported)
    [verdict] = ingest(world.database, world.clock, [envelope], grace_seconds=world.grace_seconds)
    world.stats.attacks_by_kind[kind] += 1
    world.count_verdict(car, verdict.code, 0, sent, lie=True)


def check_in_owner(world: World, owner_id: int) -> None:
    with request(world) as session:
        check_in(session, world.clock, owner_id)
        world.stats.checkins += 1


def shop(world: World, owner_id: int, instant: int) -> None:
    """The owner buys the dearest thing they can afford; the merchant confirms and delivers."""
    # Drawn whether or not the owner can afford anything: what they hold depends on the drops,
    # which the seed does not fix, and the draws after this must not depend on them.
    cancels, fulfil_hours = world.rng.randrange(100) < 10, world.rng.randint(2, 30)
    with world.database.session() as session:
        spendable = spendable_of(session, world.clock, owner_id).spendable
    affordable = [(item, price) for item, price in world.items if price <= spendable]
    if not affordable:
        return
    item, _ = max(affordable, key=lambda pair: pair[1])
    key = f"sim-order-{owner_id}-{instant}"
    placed: list[int] = []
    with request(world) as session:
        placed.append(place_order(session, world.clock, owner_id, item, 1, key).id)
    if not placed:
        return
    order_id = placed[0]
    world.stats.orders_placed += 1
    if cancels:
        later = instant + HOUR // 2
        step: Callable[[], None] = lambda: _cancel(world, owner_id, order_id, later)  # noqa: E731
        world.schedule(later, step)
        return
    confirm_at, fulfil_at = instant + HOUR, instant + fulfil_hours * HOUR
    world.schedule(confirm_at, lambda: _merchant_step(world, confirm_order, order_id, confirm_at))
    world.schedule(fulfil_at, lambda: _merchant_step(world, fulfil_order, order_id, fulfil_at))


def _merchant_step(world: World, step: Callable[..., object], order_id: int, at: int) -> None:
    with request(world) as session:
        key = f"sim-{order_id}-{at}"
        if step is fulfil_order:
            # The buyer tells the merchant the pickup code at the counter.
            code = get_order(session, order_id).pickup_code
            fulfil_order(session, world.clock, world.merchant_id, order_id, key, code)
            world.stats.orders_fulfilled += 1
        else:
            step(session, world.clock, world.merchant_id, order_id, key)


def _cancel(world: World, owner_id: int, order_id: int, at: int) -> None:
    with request(world) as session:
        cancel_order(session, world.clock, Actor(owner_id=owner_id), order_id,
                     f"sim-cancel-{order_id}-{at}")
        world.stats.orders_cancelled += 1


def launch_campaign(world: World, midnight: int, days: int) -> None:
    """The operator's road-trip campaign: half the released budget, to the end of the run."""
    with world.database.session() as session:
        available = released_budget(session)
    budget = available // 2 // PEBBLES_PER_STONE * PEBBLES_PER_STONE
    reward = budget // max(4 * len(world.owners), 1) // PEBBLES_PER_STONE * PEBBLES_PER_STONE
    if reward == 0:
        world.refused("campaign_budget_too_small")
        return
    with request(world) as session:
        campaign = create_campaign(
            session, world.clock, name="Spring road trip", budget=budget, reward=reward,
            per_owner_cap=2, proof="operator", starts_at=world.clock.now(),
            ends_at=world.genesis + days * DAY,
        )
        world.campaign_id = campaign.id


def reward_campaign(world: World, midnight: int) -> None:
    """The operator confirms the day's participants (a quarter of the drivers)."""
    if world.campaign_id is None:
        return
    day = world.day_of(midnight)
    for owner in list(world.owners.values()):
        if not owner.has_car or world.rng.randrange(100) >= 25:
            continue
        with request(world) as session:
            confirm_participation(session, world.clock, world.campaign_id, owner.id,
                                  f"roadtrip-{day}-{owner.id}")
            world.stats.campaign_participations += 1


def revoke_some(world: World) -> None:
    """A few owners withdraw consent: most only the behaviour data, one the mileage too."""
    cars = sorted(world.cars.values(), key=lambda car: car.vehicle_id)
    behaviour = [c for c in cars if world.owners[c.owner_id].behaviour_consent]
    chosen = behaviour[: max(1, len(behaviour) // 20)]
    for car in chosen:
        _revoke(world, car, "driving_behavior")
        car.vehicle.with_behaviour = False
    if len(cars) > 1:
        _revoke(world, cars[-1], "mileage")  # the car keeps reporting; the intake refuses


def _revoke(world: World, car: Car, scope: str) -> None:
    with request(world) as session:
        revoke_consent(session, world.clock, owner_id=car.owner_id,
                       vehicle_id=car.vehicle_id, scope=scope)
        world.stats.consent_revocations += 1


def declare_demo_dividend(world: World, record_epoch: int, amount_fen: int) -> None:
    """The operator declares the dividend on the last finalized epoch's holdings."""
    with request(world) as session:
        declare_dividend(
            session, world.clock, amount_fen=amount_fen, record_epoch=record_epoch,
            payment_date=time.strftime("%Y-%m-%d", time.gmtime(world.clock.now() + 7 * DAY)),
            note="Demo dividend of the CSOP's equity stake", key=f"demo-dividend-{record_epoch}",
        )
        world.stats.dividends_declared += 1


def create_logins(world: World, owner_ids: list[int]) -> None:
    """Log-ins for `milestone serve`: the operator, an auditor and the first owners."""
    with world.database.transaction() as session:
        for username, role in (("operator", "operator"), ("auditor", "auditor")):
            create_user(session, world.clock, STRONG_HASHER, username=username,
                        password=DEMO_PASSWORD, role=role)
        for number, owner_id in enumerate(owner_ids, start=1):
            create_user(session, world.clock, STRONG_HASHER, username=f"owner{number}",
                        password=DEMO_PASSWORD, role="owner", owner_id=owner_id)
