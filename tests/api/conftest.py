"""An API over a fresh database (SQLite and PostgreSQL) with a program, staff, owners and keys."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from nacl.signing import SigningKey
from sqlalchemy.orm import Session

from milestone.activities.sales import register_sales_system
from milestone.api.app import create_app
from milestone.auth import FAST_HASHER
from milestone.auth.users import create_user
from milestone.clock import ManualClock
from milestone.consent.service import grant_consent
from milestone.program.service import Program
from milestone.registry.owners import create_owner
from milestone.registry.vehicles import register_vehicle, transfer_vehicle
from milestone.registry.vin import synthetic_vin
from milestone.settings import Settings
from milestone.storage import Database
from milestone.store.merchants import register_merchant
from milestone.vehicle import VehicleSigner, generate_signing_key

from .support import PASSWORD


@dataclass
class People:
    """Credentials of one of each kind of caller, as request headers."""

    headers: dict[str, dict[str, str]] = field(default_factory=dict)
    owner_ids: dict[str, int] = field(default_factory=dict)
    merchant_ids: dict[str, int] = field(default_factory=dict)
    sales_key: SigningKey | None = None
    """The sales system's Ed25519 key, which signs its delivery confirmations."""
    sales_system_id: int = 0
    vehicles: dict[str, VehicleSigner] = field(default_factory=dict)
    """A car of each owner, with consent to both scopes, and the signer of its reports."""


@pytest.fixture
def settings(tmp_path: Path, database: Database) -> Settings:
    return Settings(
        data_dir=tmp_path,
        database_url=database.engine.url.render_as_string(hide_password=False),
        api_token_ttl_seconds=86_400,
        api_login_per_minute=1_000,
        api_writes_per_minute=1_000,
    )


@pytest.fixture
def app(settings: Settings, clock: ManualClock, database: Database, program: Program) -> FastAPI:
    return create_app(settings, clock, database=database, hasher=FAST_HASHER, web_dir=None)


@pytest.fixture
def client(app: FastAPI) -> Iterator[TestClient]:
    with TestClient(app, raise_server_exceptions=False) as client:
        yield client


def add_user(
    database: Database, clock: ManualClock, username: str, role: str, owner_id: int | None = None
) -> None:
    database.run(
        lambda session: create_user(
            session,
            clock,
            FAST_HASHER,
            username=username,
            password=PASSWORD,
            role=role,
            owner_id=owner_id,
        )
    )


def login(client: TestClient, username: str) -> dict[str, str]:
    response = client.post("/api/v1/auth/login", json={"username": username, "password": PASSWORD})
    assert response.status_code == 200, response.text
    return {"Authorization": f"Bearer {response.json()['access_token']}"}


def give_vehicle(
    database: Database, clock: ManualClock, owner_id: int, serial: int
) -> VehicleSigner:
    """Register a car, bind it to the owner and grant both consent scopes, now."""
    key = generate_signing_key()

    def work(session: Session) -> int:
        vehicle = register_vehicle(
            session, clock, vin=synthetic_vin(serial), public_key=bytes(key.verify_key)
        )
        transfer_vehicle(session, clock, vehicle.id, owner_id)
        for scope in ("mileage", "driving_behavior"):
            grant_consent(
                session,
                clock,
                owner_id=owner_id,
                vehicle_id=vehicle.id,
                scope=scope,
                terms_version="2026-01",
            )
        return vehicle.id

    return VehicleSigner(database.run(work), key)


@pytest.fixture
def people(client: TestClient, database: Database, clock: ManualClock) -> People:
    people = People()
    add_user(database, clock, "olga", "operator")
    add_user(database, clock, "aldo", "auditor")
    for serial, name in enumerate(("ann", "bob"), start=1):
        owner_id = database.run(lambda session: create_owner(session, clock).id)
        add_user(database, clock, name, "owner", owner_id)
        people.owner_ids[name] = owner_id
        people.vehicles[name] = give_vehicle(database, clock, owner_id, serial)
    for name in ("olga", "aldo", "ann", "bob"):
        people.headers[name] = login(client, name)
    for name in ("shop", "other_shop"):
        merchant, key = database.run(lambda s, n=name: register_merchant(s, clock, n))
        people.headers[name] = {"X-API-Key": key}
        people.merchant_ids[name] = merchant.id
    people.sales_key = generate_signing_key()
    public_key = bytes(people.sales_key.verify_key)
    system, key = database.run(lambda s: register_sales_system(s, clock, "dealer", public_key))
    people.headers["sales"] = {"X-API-Key": key}
    people.sales_system_id = system.id
    people.headers["anonymous"] = {}
    return people
