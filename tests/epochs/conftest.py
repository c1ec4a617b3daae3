"""Fixtures of the settlement tests: a data directory with an embedded chain, a settlement on a
test database, and a simulated fleet of honest cars driving through the real intake.

Settling costs real chain transactions (about half a second each on the embedded py-evm), so
the end-to-end scenarios are built once per module (`scenario_database`) and many tests read
them; tests that change a scenario build their own.
"""

from __future__ import annotations

import itertools
import random
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from eth_account import Account
from eth_account.signers.local import LocalAccount

from milestone.chain.backends import ChainConnection, open_embedded
from milestone.chain.deployment import deploy_or_attach
from milestone.chain.keys import load_operator
from milestone.clock import ManualClock
from milestone.consent.service import grant_consent
from milestone.dividends.commitments import dividends_commitment
from milestone.epochs.beacon_secret import load_beacon_secret
from milestone.epochs.setup import program_parameters
from milestone.epochs.steps import Settlement
from milestone.program.service import Program, create_program
from milestone.registry.owners import create_owner
from milestone.registry.vehicles import register_vehicle, transfer_vehicle
from milestone.registry.vin import synthetic_vin
from milestone.rules.params import get_preset
from milestone.storage import Database, migrate, scratch
from milestone.telemetry.intake import ingest
from milestone.vehicle import VehicleSigner, generate_signing_key
from milestone.vehicle.driving import HonestVehicle, simulate_fleet

GENESIS = 1_767_225_600  # 2026-01-01, as tests/conftest.py
DAY = 86_400
GRACE = 3_600
TERMS = "2026-01"


def make_settlement(
    database: Database,
    clock: ManualClock,
    program: Program,
    data_dir: Path,
    chain: ChainConnection,
) -> Settlement:
    """A settlement on `database` and the embedded chain of `data_dir`, Program deployed."""
    operator = load_operator(data_dir)
    anchor, _ = deploy_or_attach(chain, data_dir, operator, program_parameters(program))
    return Settlement(
        database=database,
        clock=clock,
        anchor=anchor,
        data_dir=data_dir,
        beacon_secret=load_beacon_secret(data_dir),
        program=program,
        dividends=dividends_commitment,
        grace_seconds=GRACE,
    )


def open_chain(data_dir: Path) -> ChainConnection:
    """The embedded chain of `data_dir`, the operator funded."""
    return open_embedded(data_dir, [load_operator(data_dir).address])


@dataclass
class Fleet:
    """Honest cars of enrolled owners, and how to make them drive through the intake."""

    database: Database
    clock: ManualClock
    cars: list[HonestVehicle] = field(default_factory=list)
    owners: list[int] = field(default_factory=list)

    def enroll(self, count: int, seed: int, behaviour_every: int = 2) -> None:
        """Register `count` owners with a car each; every `behaviour_every`-th shares behaviour."""
        rng = random.Random(seed)
        serials = itertools.count(len(self.cars) + 1)
        for index in range(count):
            scopes = ["mileage"] + (["driving_behavior"] if index % behaviour_every == 0 else [])
            key = generate_signing_key()
            with self.database.transaction() as session:
                owner = create_owner(session, self.clock)
                vehicle = register_vehicle(
                    session,
                    self.clock,
                    vin=synthetic_vin(next(serials)),
                    public_key=bytes(key.verify_key),
                )
                transfer_vehicle(session, self.clock, vehicle.id, owner.id)
                for scope in scopes:
                    grant_consent(
                        session,
                        self.clock,
                        owner_id=owner.id,
                        vehicle_id=vehicle.id,
                        scope=scope,
                        terms_version=TERMS,
                    )
                signer = VehicleSigner(vehicle.id, key)
                self.owners.append(owner.id)
            self.cars.append(HonestVehicle(signer, random.Random(rng.random())))

    def drive(self, first_day: int, days: int) -> int:
        """Drive `days` days from `first_day` (a UTC midnight); returns the reports accepted."""
        accepted = 0
        batch: list[bytes] = []
        hour = None
        for upload in simulate_fleet(self.cars, first_day, days):
            if hour is not None and upload.sent_at // 3_600 != hour:
                accepted += self._ingest(batch)
                batch = []
            hour = upload.sent_at // 3_600
            self.clock.set(max(self.clock.now(), upload.sent_at))
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


def close(settlement: Settlement, clock: ManualClock, epochs: int) -> None:
    """Move the clock to where epochs 0 .. epochs-1 are closed for settlement."""
    end = settlement.program.genesis + epochs * DAY + settlement.grace_seconds
    clock.set(max(clock.now(), end))


def send(settlement: Settlement, call: Any, account: LocalAccount | None = None) -> None:
    """Send a contract call from `account` (default: the operator)."""
    settlement.anchor.sender(account or settlement.anchor.operator).send(call)


def funded_member(
    settlement: Settlement, *, beacon: bool = False, attestor: bool = False
) -> LocalAccount:
    """A new consortium party, given gas money and admitted to the beacon or the attestors."""
    account: LocalAccount = Account.create()
    settlement.anchor.fund(account.address, 10**18)
    functions = settlement.anchor.program.contract.functions
    if beacon:
        send(settlement, functions.add_beacon_member(account.address))
    if attestor:
        send(settlement, functions.add_attestor(account.address))
    return account


def start_program(database: Database, clock: ManualClock) -> Program:
    """The minimal preset, initialized at GENESIS."""
    with database.transaction() as session:
        return create_program(session, clock, get_preset("minimal"), genesis=GENESIS)


@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    return tmp_path / "data"


@pytest.fixture
def chain(data_dir: Path) -> Iterator[ChainConnection]:
    connection = open_chain(data_dir)
    yield connection
    connection.close()


@pytest.fixture
def settlement(
    database: Database,
    clock: ManualClock,
    program: Program,
    data_dir: Path,
    chain: ChainConnection,
) -> Settlement:
    return make_settlement(database, clock, program, data_dir, chain)


MakeFleet = Callable[..., Fleet]


@pytest.fixture
def make_fleet(database: Database, clock: ManualClock, program: Program) -> MakeFleet:
    def make(size: int, seed: int = 1, behaviour_every: int = 2) -> Fleet:
        fleet = Fleet(database, clock)
        fleet.enroll(size, seed, behaviour_every)
        return fleet

    return make


@pytest.fixture(
    scope="module", params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)]
)
def scenario_database(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Database]:
    """A database of the module's own, migrated, per backend."""
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path_factory.mktemp('scenario') / 'milestone.db'}"
        database = Database.from_url(url)
        migrate(database.engine)
        yield database
        database.dispose()
        return
    server = scratch.server_url()
    reason = scratch.unreachable_reason(server)
    if reason is not None:
        pytest.skip(reason)
    name = scratch.unique_name("milestone_scenario")
    database = Database.from_url(
        scratch.create_database(server, name).render_as_string(hide_password=False)
    )
    migrate(database.engine)
    yield database
    database.dispose()
    scratch.drop_database(server, name)
