"""Fixtures of the settlement tests: a data directory with an embedded chain, a settlement on
the shared test database, and a simulated fleet driving through the real intake."""

from __future__ import annotations

import random
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from milestone.chain.backends import ChainConnection, open_embedded
from milestone.chain.deployment import deploy_or_attach
from milestone.chain.keys import load_operator
from milestone.clock import ManualClock
from milestone.epochs.beacon_secret import load_beacon_secret
from milestone.epochs.setup import program_parameters
from milestone.epochs.steps import Settlement
from milestone.program.service import Program
from milestone.storage import Database
from milestone.telemetry.intake import ingest
from milestone.vehicle.driving import HonestVehicle, simulate_fleet

DAY = 86_400
GRACE = 3_600


@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    return tmp_path / "data"


@pytest.fixture
def chain(data_dir: Path) -> Iterator[ChainConnection]:
    operator = load_operator(data_dir)
    connection = open_embedded(data_dir, [operator.address])
    yield connection
    connection.close()


@pytest.fixture
def settlement(
    database: Database, clock: ManualClock, program: Program, data_dir: Path,
    chain: ChainConnection,
) -> Settlement:
    operator = load_operator(data_dir)
    anchor, _ = deploy_or_attach(chain, data_dir, operator, program_parameters(program))
    return Settlement(
        database=database, clock=clock, anchor=anchor, data_dir=data_dir,
        beacon_secret=load_beacon_secret(data_dir), program=program, grace_seconds=GRACE,
    )


@dataclass
class Fleet:
    """Honest cars of enrolled owners, and how to make them drive through the intake."""

    database: Database
    clock: ManualClock
    cars: list[HonestVehicle]
    owners: list[int]

    def drive(self, first_day: int, days: int) -> int:
        """Drive `days` days from `first_day` (a UTC midnight); returns the reports accepted."""
        uploads = simulate_fleet(self.cars, first_day, days)
        accepted = 0
        batch: list[bytes] = []
        hour = None
        for upload in uploads:
            if hour is not None and upload.sent_at // 3_600 != hour:
                accepted += self._ingest(batch)
                batch = []
            hour = upload.sent_at // 3_600
            if self.clock.now() < upload.sent_at:
                self.clock.set(upload.sent_at)
            batch.append(upload.envelope)
        return accepted + self._ingest(batch)

    def _ingest(self, batch: list[bytes]) -> int:
        if not batch:
            return 0
        verdicts = ingest(self.database, self.clock, batch)
        # Honest cars drive past the minimal preset's 100 km cap; the intake refuses those trips.
        rejected = [v for v in verdicts if v.code not in ("accepted", "epoch_cap_reached")]
        assert not rejected, rejected[:3]
        return sum(v.code == "accepted" for v in verdicts)


MakeFleet = Callable[..., Fleet]


@pytest.fixture
def make_fleet(database: Database, clock: ManualClock, enroll: Callable[..., object]) -> MakeFleet:
    def make(size: int, seed: int = 1, behaviour_every: int = 2) -> Fleet:
        rng = random.Random(seed)
        cars, owners = [], []
        for index in range(size):
            scopes = ("mileage", "driving_behavior") if index % behaviour_every == 0 else ("mileage",)
            enrolled = enroll(scopes)
            cars.append(HonestVehicle(enrolled.signer, random.Random(rng.random())))  # type: ignore[attr-defined]
            owners.append(enrolled.owner_id)  # type: ignore[attr-defined]
        return Fleet(database, clock, cars, owners)

    return make
