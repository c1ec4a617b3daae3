"""Shared fixtures for the whole suite."""

from __future__ import annotations

import itertools
import os
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from milestone.clock import ManualClock
from milestone.consent.service import grant_consent
from milestone.program.service import Program, create_program
from milestone.registry.owners import create_owner
from milestone.registry.vehicles import register_vehicle, transfer_vehicle
from milestone.registry.vin import synthetic_vin
from milestone.rules.params import get_preset
from milestone.storage import Database
from milestone.storage.migrations import migrate
from milestone.vehicle import VehicleSigner, generate_signing_key

GENESIS = 1_767_225_600  # 2026-01-01T00:00:00Z
PG_URL = os.environ.get(
    "MILESTONE_TEST_PG_URL", "postgresql+psycopg://milestone:milestone@127.0.0.1:5432/postgres"
)


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def database_url(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[str]:
    """A fresh, empty database: a SQLite file, or a throwaway PostgreSQL database."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path_factory.mktemp('db') / 'milestone.db'}"
        return
    admin = create_engine(PG_URL, isolation_level="AUTOCOMMIT")
    name = f"milestone_test_{uuid.uuid4().hex[:12]}"
    try:
        with admin.connect() as connection:
            connection.execute(text(f'CREATE DATABASE "{name}"'))
    except Exception as error:  # pragma: no cover - only without a server
        admin.dispose()
        pytest.skip(f"PostgreSQL is unreachable at {PG_URL}: {error}")
    try:
        yield make_url(PG_URL).set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@pytest.fixture
def database(database_url: str) -> Iterator[Database]:
    """The database, migrated to the head revision."""
    database = Database.from_url(database_url)
    migrate(database.engine)
    yield database
    database.dispose()


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock(GENESIS)


@pytest.fixture
def preset_name() -> str:
    return "minimal"


@pytest.fixture
def program(database: Database, clock: ManualClock, preset_name: str) -> Program:
    """A program initialized on the database with the `preset_name` preset."""
    with database.transaction() as session:
        return create_program(session, clock, get_preset(preset_name), genesis=GENESIS)


@dataclass
class EnrolledVehicle:
    """A registered vehicle, its owner, and the car's signer."""

    vehicle_id: int
    owner_id: int
    signer: VehicleSigner


Enroll = Callable[..., EnrolledVehicle]


@pytest.fixture
def enroll(database: Database, clock: ManualClock, program: Program) -> Enroll:
    """Register an owner and a vehicle, bind them, and grant the given consent scopes now."""
    serials = itertools.count(1)

    def enroll(scopes: tuple[str, ...] = ("mileage", "driving_behavior")) -> EnrolledVehicle:
        key = generate_signing_key()
        with database.transaction() as session:
            owner = create_owner(session, clock)
            vehicle = register_vehicle(
                session, clock, vin=synthetic_vin(next(serials)), public_key=bytes(key.verify_key)
            )
            transfer_vehicle(session, clock, vehicle.id, owner.id)
            for scope in scopes:
                grant_consent(
                    session,
                    clock,
                    owner_id=owner.id,
                    vehicle_id=vehicle.id,
                    scope=scope,
                    terms_version="2026-01",
                )
            return EnrolledVehicle(vehicle.id, owner.id, VehicleSigner(vehicle.id, key))

    return enroll
