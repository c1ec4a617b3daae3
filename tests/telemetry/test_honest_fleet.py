"""An honest fleet over several days: not one report rejected, every meter accounted for.

The cars are `milestone.vehicle.driving.HonestVehicle`s: real odometers, a distance sensor off by
up to 1%, clocks up to two minutes wrong, uploads up to half an hour late, trips across
midnight. Along the way one car has its key rotated while a report signed with the old key is
still waiting to be uploaded, and one car changes owner while parked.
"""

from __future__ import annotations

import dataclasses
import random
from collections import defaultdict
from typing import Any

import pytest
from sqlalchemy import func, select

from milestone.clock import ManualClock
from milestone.consent.service import grant_consent
from milestone.program.service import Program, create_program
from milestone.registry.owners import create_owner
from milestone.registry.vehicles import rotate_key, transfer_vehicle
from milestone.rules.params import get_preset
from milestone.rules.reports import decode_envelope
from milestone.rules.time import prorate_distance
from milestone.storage import Database
from milestone.telemetry.intake import ingest
from milestone.telemetry.models import Trip, TripRound
from milestone.vehicle import generate_signing_key
from milestone.vehicle.driving import DAY, HonestVehicle, Upload, simulate_fleet

GENESIS = 1_767_225_600
HOUR = 3_600
VEHICLES = 12
DAYS = 6
ROTATION_DAY = 3
GRACE = 3_600  # the intake's default, as settlement's


@pytest.fixture
def program(database: Database, clock: ManualClock) -> Program:
    # The IM preset: 1,000 km a day per vehicle, 144 rounds an epoch.
    with database.transaction() as session:
        return create_program(session, clock, get_preset("im-csop"), genesis=GENESIS)


def drive(
    database: Database, clock: ManualClock, uploads: list[Upload], until: int
) -> list[Any]:
    """Upload, hour by hour, everything sent before `until`; the verdicts."""
    verdicts = []
    pending = sorted((u for u in uploads if u.sent_at < until), key=lambda u: u.sent_at)
    hour = clock.now()
    while pending:
        hour += HOUR
        batch = [u.envelope for u in pending if u.sent_at < hour]
        pending = [u for u in pending if u.sent_at >= hour]
        clock.set(hour)
        if batch:
            verdicts.extend(ingest(database, clock, batch))
    return verdicts


def test_an_honest_fleet_is_never_rejected_and_every_meter_counts(
    database: Database, clock: ManualClock, enroll: Any, program: Program
) -> None:
    rng = random.Random(20260101)
    cars = [enroll() if i % 3 else enroll(scopes=("mileage",)) for i in range(VEHICLES)]
    fleet = [
        HonestVehicle(
            car.signer, random.Random(rng.random()),
            odometer_m=rng.randrange(0, 50_000_000),
            clock_offset_s=rng.randint(-120, 120),
            with_behaviour=i % 2 == 0,
        )
        for i, car in enumerate(cars)
    ]
    rotated, sold = cars[1], cars[2]

    # Days before the rotation; the rotated car's last upload is held back (out of coverage).
    before = simulate_fleet(fleet, GENESIS, ROTATION_DAY)
    held = max((u for u in before if decode_envelope(u.envelope).report.vehicle_id
                == rotated.vehicle_id), key=lambda u: u.sent_at)
    # At midnight: the held report's epoch takes uploads until 01:00 (the settlement grace).
    rotation_at = GENESIS + ROTATION_DAY * DAY
    verdicts = drive(database, clock, [u for u in before if u is not held], rotation_at)
    clock.set(rotation_at)
    new_key = generate_signing_key()
    with database.transaction() as session:
        rotate_key(session, clock, rotated.vehicle_id, bytes(new_key.verify_key))
        buyer = create_owner(session, clock)
        transfer_vehicle(session, clock, sold.vehicle_id, buyer.id)
        grant_consent(session, clock, owner_id=buyer.id, vehicle_id=sold.vehicle_id,
                      scope="mileage", terms_version="2026-01")
    rotated.signer.rotate_key(new_key)
    # Signed with the old key before the rotation, uploaded after it, judged at 01:00: the
    # last instant its epoch's trips still count.
    late = dataclasses.replace(held, sent_at=rotation_at + HOUR // 2)
    verdicts += drive(database, clock, [late], rotation_at + HOUR)
    assert clock.now() == rotation_at + HOUR

    after = simulate_fleet(fleet, GENESIS + ROTATION_DAY * DAY, DAYS - ROTATION_DAY)
    verdicts += drive(database, clock, after, GENESIS + (DAYS + 1) * DAY)

    uploads = [*before, *after]
    assert len(verdicts) == len(uploads) > VEHICLES * DAYS
    assert [v.code for v in verdicts if not v.accepted] == []

    # Every meter is counted, up to the cap, in the epoch it was driven.
    params = program.parameters
    offered: dict[tuple[int, int], int] = defaultdict(int)
    for upload in uploads:
        report = decode_envelope(upload.envelope).report
        for share in prorate_distance(report.started_at, report.ended_at, report.distance_m,
                                      GENESIS, params.epoch_seconds, params.rounds_per_epoch):
            offered[(report.vehicle_id, share.epoch)] += share.meters
    with database.session() as session:
        counted = dict(
            ((vehicle, epoch), int(meters))
            for vehicle, epoch, meters in session.execute(
                select(TripRound.vehicle_id, TripRound.epoch, func.sum(TripRound.meters))
                .group_by(TripRound.vehicle_id, TripRound.epoch)
            )
        )
        assert counted == {
            key: min(meters, params.vehicle_epoch_cap_meters)
            for key, meters in offered.items() if meters
        }
        trips_counted = session.execute(select(func.sum(Trip.counted_m))).scalar_one()
        assert trips_counted == sum(counted.values())
        # Every counted round arrived by its epoch's cutoff: settlement counts them all.
        received = session.execute(
            select(TripRound.epoch, func.max(Trip.received_at))
            .join(Trip, (Trip.vehicle_id == TripRound.vehicle_id)
                  & (Trip.sequence == TripRound.sequence))
            .group_by(TripRound.epoch)
        ).all()
        assert received and all(
            last <= GENESIS + (epoch + 1) * DAY + GRACE for epoch, last in received
        )
        # The sold car's trips after the sale are credited to the buyer.
        owners = set(session.execute(
            select(Trip.owner_id).where(Trip.vehicle_id == sold.vehicle_id)
        ).scalars())
        assert owners == {sold.owner_id, buyer.id}
        # Behaviour is kept only for cars whose owners consented to it.
        kept = set(session.execute(
            select(Trip.vehicle_id).where(Trip.harsh_brakes.is_not(None))
        ).scalars())
        consenting = {car.vehicle_id for i, car in enumerate(cars) if i % 3 and i % 2 == 0}
        assert kept == consenting
