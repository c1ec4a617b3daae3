"""A settled program for the browser tests, built through the real services.

Genesis is three UTC days before now, so the program's early epochs are over when the server
starts on the real clock. Two owners, each with a car, consent to mileage at genesis; their
cars sign trips every day through the real intake (one of Ann's reports is refused for its
speed); a merchant opens a shop; Ann is certified; then every closed epoch is settled on the
embedded chain. A webhook subscribed to `epoch.finalized` at a receiver that is not there has
those deliveries dead (the console's dead letters). Only the wall clock differs from
production: the steps before `now` run on a manual clock set to the instant each one happens.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from pathlib import Path

from milestone.activities.standing import certify_owner
from milestone.auth.passwords import FAST_HASHER
from milestone.auth.users import create_user
from milestone.clock import ManualClock
from milestone.consent.service import grant_consent
from milestone.dividends.commitments import dividends_commitment
from milestone.epochs.settle import settle
from milestone.epochs.setup import open_settlement
from milestone.events.dispatcher import DispatchConfig, Dispatcher
from milestone.events.subscriptions import add_subscription
from milestone.program.service import create_program
from milestone.registry.owners import create_owner
from milestone.registry.vehicles import register_vehicle, transfer_vehicle
from milestone.registry.vin import synthetic_vin
from milestone.rules.params import get_preset, override_parameters
from milestone.settings import Settings
from milestone.storage import Database, open_database
from milestone.store.merchants import add_item, register_merchant
from milestone.telemetry.intake import ingest
from milestone.vehicle import VehicleSigner, generate_signing_key
from milestone.vehicle.driving import HonestVehicle, Upload

DAY = 86_400
HOUR = 3_600
PASSWORD = "correct horse battery staple"
TERMS = "2026-01"
DAYS_BEFORE_NOW = 3
DEAD_RECEIVER = "http://127.0.0.1:9/milestone/hooks"
"""Port 9 (discard) refuses connections on loopback: every delivery there fails at once."""

TRIPS = {
    # owner: (start hour, minutes, km) per day; minimal rounds are six hours long
    "ann": [(7, 40, 30), (13, 30, 22), (19, 50, 41)],
    "bob": [(8, 25, 18), (20, 35, 27)],
}


@dataclass(frozen=True)
class Scenario:
    data_dir: Path
    database_url: str
    genesis: int
    settled: list[int]
    owner_ids: dict[str, int]
    vehicle_ids: dict[str, int]
    merchant_key: str
    item_ids: list[int]
    refused_code: str
    dead_webhook: int = 0
    """The subscription whose `epoch.finalized` deliveries are dead."""


def build_scenario(data_dir: Path, now: int) -> Scenario:
    """The data directory of a settled program, ready for `milestone serve`."""
    data_dir.mkdir(parents=True, exist_ok=True)
    settings = Settings(data_dir=data_dir)
    database = open_database(settings.database_url)
    genesis = (now // DAY - DAYS_BEFORE_NOW) * DAY
    clock = ManualClock(genesis)
    parameters = override_parameters(get_preset("minimal"), {"spend_lock_days": 0})
    try:
        owner_ids, vehicle_ids, cars = _enroll(database, clock, genesis, parameters)
        refused = _drive(database, clock, cars, genesis)
        dead_webhook = database.run(
            lambda s: add_subscription(s, clock, DEAD_RECEIVER, ["epoch.finalized"])[0].id
        )
        settled = _settle_daily(settings, database, clock, genesis, now)
        clock.set(now)
        _deliver_once(database, clock)
        merchant_key, item_ids = _open_shop(database, clock, owner_ids["ann"])
    finally:
        database.dispose()
    return Scenario(
        data_dir=data_dir, database_url=settings.database_url, genesis=genesis, settled=settled,
        owner_ids=owner_ids, vehicle_ids=vehicle_ids, merchant_key=merchant_key,
        item_ids=item_ids, refused_code=refused, dead_webhook=dead_webhook,
    )


def _deliver_once(database: Database, clock: ManualClock) -> None:
    """Try each pending delivery once: to a receiver that is not there, each goes dead. A pass
    stops at a subscription's first failure (order), so pass until one sends nothing."""
    config = DispatchConfig(max_attempts=1, timeout_seconds=2, lease_seconds=5)
    dispatcher = Dispatcher(database, clock, config)
    try:
        while dispatcher.run_once().failed:
            pass
    finally:
        dispatcher.close()


def _enroll(
    database: Database, clock: ManualClock, genesis: int, parameters: object
) -> tuple[dict[str, int], dict[str, int], dict[str, HonestVehicle]]:
    owner_ids: dict[str, int] = {}
    vehicle_ids: dict[str, int] = {}
    cars: dict[str, HonestVehicle] = {}
    with database.transaction() as session:
        create_program(session, clock, parameters, genesis=genesis)  # type: ignore[arg-type]
        create_user(session, clock, FAST_HASHER, username="olga", password=PASSWORD,
                    role="operator")
        create_user(session, clock, FAST_HASHER, username="aldo", password=PASSWORD,
                    role="auditor")
        for serial, name in enumerate(TRIPS, start=1):
            owner = create_owner(session, clock)
            create_user(session, clock, FAST_HASHER, username=name, password=PASSWORD,
                        role="owner", owner_id=owner.id)
            key = generate_signing_key()
            vehicle = register_vehicle(
                session, clock, vin=synthetic_vin(serial), public_key=bytes(key.verify_key),
                model="IM L7",
            )
            transfer_vehicle(session, clock, vehicle.id, owner.id)
            grant_consent(session, clock, owner_id=owner.id, vehicle_id=vehicle.id,
                          scope="mileage", terms_version=TERMS)
            owner_ids[name], vehicle_ids[name] = owner.id, vehicle.id
            cars[name] = HonestVehicle(VehicleSigner(vehicle.id, key), random.Random(serial))
    return owner_ids, vehicle_ids, cars


def _drive(
    database: Database, clock: ManualClock, cars: dict[str, HonestVehicle], genesis: int
) -> str:
    """Every day before today, each car's trips; returns the code of Ann's refused report."""
    uploads: list[Upload] = []
    for day in range(DAYS_BEFORE_NOW):
        midnight = genesis + day * DAY
        for name, trips in TRIPS.items():
            for hour, minutes, km in trips:
                uploads.append(cars[name].drive(midnight + hour * HOUR, minutes * 60, km * 1_000))
    for upload in sorted(uploads, key=lambda u: u.sent_at):
        clock.set(max(clock.now(), upload.sent_at))
        [verdict] = ingest(database, clock, [upload.envelope])
        assert verdict.accepted, verdict
    # 300 km in half an hour, after her last honest trip: the intake refuses it, Ann sees why.
    speeding = cars["ann"].drive(genesis + (DAYS_BEFORE_NOW - 1) * DAY + 22 * HOUR, 1_800, 300_000)
    clock.set(max(clock.now(), speeding.sent_at))
    [verdict] = ingest(database, clock, [speeding.envelope])
    assert not verdict.accepted, verdict
    return verdict.code


def _settle_daily(
    settings: Settings, database: Database, clock: ManualClock, genesis: int, now: int
) -> list[int]:
    """Settle each epoch as production does: once it closes, an hour after its end."""
    settled: list[int] = []
    with open_settlement(
        settings, clock, dividends=dividends_commitment, database=database
    ) as ctx:
        for epoch in range(DAYS_BEFORE_NOW):
            closes = genesis + (epoch + 1) * DAY + ctx.grace_seconds
            if closes > now:
                break
            clock.set(max(clock.now(), closes))
            settled += [done.epoch for done in settle(ctx, through_epoch=epoch)]
    return settled


def _open_shop(database: Database, clock: ManualClock, certified: int) -> tuple[str, list[int]]:
    with database.transaction() as session:
        merchant, key = register_merchant(session, clock, "IM Lifestyle Store", "shop")
        items = [
            add_item(session, clock, merchant.id, sku="CAP-01", title="Milestone cap",
                     price=2 * 10**8, stock=50),
            add_item(session, clock, merchant.id, sku="WASH-1", title="Car wash voucher",
                     price=3 * 10**8),
            add_item(session, clock, merchant.id, sku="MODEL-7", title="1:18 scale IM L7",
                     price=400 * 10**8, stock=5),
        ]
        certify_owner(session, clock, certified)
        return key, [item.id for item in items]
