"""Shared fixtures for the whole suite.

`database_url` runs a test twice: on a SQLite file and on PostgreSQL (skipped, with the
reason, when the server at `$MILESTONE_TEST_PG_URL` does not answer). Each test starts from a
database freshly migrated to the head revision, with only the rows the migrations seed:
- SQLite: a copy of a template file migrated once per run;
- PostgreSQL: one throwaway database per run (per xdist worker), migrated once and dropped at
  the end; before each test every table is emptied and the seeded rows put back, which takes
  milliseconds where creating a database takes most of a second.
A test that changes the schema itself (migrations) takes `empty_database_url` instead.
"""

from __future__ import annotations

import itertools
import shutil
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path

import pytest
from sqlalchemy import Engine, insert, select
from sqlalchemy.engine import URL
from sqlalchemy.orm import Session
from sqlalchemy.pool import NullPool

from milestone.activities.budget import (
    current_day,
    pay_from_budget,
    release_activity_budget,
    release_opened_budgets,
    released_budget,
)
from milestone.clock import ManualClock
from milestone.consent.service import grant_consent
from milestone.epochs.compute import calculate_account_root
from milestone.epochs.models import FINALIZED, EpochRecord, OwnerBalanceRecord, OwnerStateRecord
from milestone.epochs.status import last_finalized_epoch
from milestone.ledger import MINING_RESERVE, owner_account, post_transaction, transfer
from milestone.program.service import Program, create_program
from milestone.registry.models import Owner
from milestone.registry.owners import create_owner
from milestone.registry.vehicles import register_vehicle, transfer_vehicle
from milestone.registry.vin import synthetic_vin
from milestone.rules.leaves import BALANCE_LEAF
from milestone.rules.params import get_preset
from milestone.rules.schedule import calculate_epoch_budget
from milestone.storage import Database, migrate, scratch
from milestone.storage.engine import create_database_engine
from milestone.storage.models import metadata
from milestone.vehicle import VehicleSigner, generate_signing_key
from realservices import fail_skipped_service  # tests/ is on sys.path: it holds this conftest

GENESIS = 1_767_225_600
"""2026-01-01T00:00:00Z, the genesis of the test programs."""


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("template") / "milestone.db"
    engine = create_database_engine(f"sqlite:///{path}")
    migrate(engine)
    engine.dispose()
    return path


@pytest.fixture(scope="session")
def postgres_server() -> URL:
    server = scratch.server_url()
    reason = scratch.unreachable_reason(server)
    if reason is not None:
        pytest.skip(reason)
    return server


@pytest.fixture(scope="session")
def postgres_run_database(postgres_server: URL) -> Iterator[tuple[str, dict[str, list[dict]]]]:
    """This run's PostgreSQL database, migrated, and the rows the migrations seeded."""
    name = scratch.unique_name("milestone_test")
    url = scratch.create_database(postgres_server, name).render_as_string(hide_password=False)
    engine = create_database_engine(url)
    migrate(engine)
    with engine.connect() as connection:
        seeded = {
            table.name: [dict(row._mapping) for row in connection.execute(select(table))]
            for table in metadata.sorted_tables
        }
    engine.dispose()
    yield url, seeded
    scratch.drop_database(postgres_server, name)


def reset_postgres(url: str, seeded: dict[str, list[dict]]) -> None:
    """Empty every table of the schema and put back the rows the migrations seeded."""
    engine = create_database_engine(url, poolclass=NullPool)
    names = ", ".join(f'"{table.name}"' for table in metadata.sorted_tables)
    with engine.begin() as connection:
        connection.exec_driver_sql(f"TRUNCATE {names} RESTART IDENTITY CASCADE")
        for table in metadata.sorted_tables:
            if seeded[table.name]:
                connection.execute(insert(table), seeded[table.name])
    engine.dispose()


def reset_sqlite(path: Path, template: Path) -> None:
    """Make the file at `path` a copy of `template` again (no connection may be open)."""
    for leftover in (path.with_name(path.name + "-wal"), path.with_name(path.name + "-shm")):
        leftover.unlink(missing_ok=True)
    shutil.copyfile(template, path)


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def database_reset(
    request: pytest.FixtureRequest, tmp_path: Path
) -> tuple[str, Callable[[], None]]:
    """The URL of a database at the head revision, and how to bring it back to that state."""
    if request.param == "sqlite":
        path = tmp_path / "milestone.db"
        template = request.getfixturevalue("sqlite_template")
        reset_sqlite(path, template)
        return f"sqlite:///{path}", lambda: reset_sqlite(path, template)
    url, seeded = request.getfixturevalue("postgres_run_database")
    reset_postgres(url, seeded)
    return url, lambda: reset_postgres(url, seeded)


@pytest.fixture
def database_url(database_reset: tuple[str, Callable[[], None]]) -> str:
    """A database at the head revision holding only what the migrations seed, per backend."""
    return database_reset[0]


@pytest.fixture
def reset_database(
    database: Database, database_reset: tuple[str, Callable[[], None]]
) -> Callable[[], None]:
    """Bring `database` back to its state at the start of the test (for property tests)."""

    def reset() -> None:
        database.dispose()  # close every pooled connection first; the pool reopens lazily
        database_reset[1]()

    return reset


@pytest.fixture(scope="session")
def postgres_empty_database(postgres_server: URL) -> Iterator[str]:
    """This run's PostgreSQL database for tests that migrate by themselves."""
    name = scratch.unique_name("milestone_empty")
    yield scratch.create_database(postgres_server, name).render_as_string(hide_password=False)
    scratch.drop_database(postgres_server, name)


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def empty_database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """A database that was never migrated (an emptied schema on PostgreSQL), per backend."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'empty.db'}"
    url: str = request.getfixturevalue("postgres_empty_database")
    engine = create_database_engine(url, poolclass=NullPool)
    with engine.begin() as connection:
        connection.exec_driver_sql("DROP SCHEMA public CASCADE")
        connection.exec_driver_sql("CREATE SCHEMA public")
    engine.dispose()
    return url


@pytest.fixture
def database(database_url: str) -> Iterator[Database]:
    database = Database.from_url(database_url)
    yield database
    database.dispose()


@pytest.fixture
def engine(database: Database) -> Engine:
    return database.engine


@pytest.fixture
def session(database: Database) -> Iterator[Session]:
    """A session left uncommitted: the test commits what it wants others to see."""
    with database.session() as session:
        yield session


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock(GENESIS)


@pytest.fixture
def program(database: Database, clock: ManualClock) -> Program:
    """The `minimal` preset, initialized at GENESIS and committed."""
    with database.transaction() as session:
        return create_program(session, clock, get_preset("minimal"), genesis=GENESIS)


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


# Owners, the released activity budget and whole-database snapshots, for the services that pay
# and spend stones (activities, store, dividends).

MakeOwner = Callable[..., int]


@pytest.fixture
def make_owner(database: Database, clock: ManualClock, program: Program) -> MakeOwner:
    """Create an owner (optionally with a verified phone or payment identity), committed."""

    def make_owner(phone: str | None = None, payment: str | None = None) -> int:
        with database.transaction() as session:
            return create_owner(session, clock, phone=phone, payment=payment).id

    return make_owner


@pytest.fixture
def credit(database: Database, clock: ManualClock, program: Program) -> Callable[[int, int], None]:
    """Credit an owner mined stones now, from the mining reserve, as settlement's drops will."""
    keys = itertools.count(1)

    def credit(owner: int, amount: int) -> None:
        with database.transaction() as session:
            post_transaction(
                session, clock, "drop", f"test-drop-{next(keys)}",
                transfer(MINING_RESERVE, owner_account(owner), amount),
            )

    return credit


SettleState = Callable[[int, Mapping[int, int]], None]


@pytest.fixture
def settle_state(database: Database, clock: ManualClock, program: Program) -> SettleState:
    """Record epochs up to `epoch` finalized, epoch `epoch`'s state giving these owners these
    balances (pebbles by owner id; the others keep theirs), committed.

    The rows are the ones settlement's `state` and `finalize` steps write (`epoch`,
    `owner_state`, `owner_balance`), without drops, ledger postings or a chain: for tests that
    need an epoch's final balances, not how they came about (tests/epochs and
    tests/dividends/test_holdings.py settle for real). The clock moves past the epoch's end.
    """

    def settle_state(epoch: int, balances: Mapping[int, int]) -> None:
        seconds = program.parameters.epoch_seconds
        clock.set(max(clock.now(), program.genesis + (epoch + 1) * seconds))
        with database.transaction() as session:
            last = last_finalized_epoch(session)
            for e in range(0 if last is None else last + 1, epoch + 1):
                _write_state(session, clock, e, balances if e == epoch else {})

    return settle_state


def _write_state(
    session: Session, clock: ManualClock, epoch: int, balances: Mapping[int, int]
) -> None:
    state = {row.owner_id: row for row in session.scalars(select(OwnerStateRecord))}
    for owner_id, balance in sorted(balances.items()):
        address = session.get(Owner, owner_id).address  # type: ignore[union-attr]
        row = state.get(owner_id)
        if row is not None and (bytes(row.address), row.balance) == (address, balance):
            continue  # settlement writes an owner's history only when it changes
        if row is None:
            session.add(
                OwnerStateRecord(owner_id=owner_id, address=address, balance=balance, epoch=epoch)
            )
        else:
            row.address, row.balance, row.epoch = address, balance, epoch
        session.add(
            OwnerBalanceRecord(owner_id=owner_id, epoch=epoch, address=address, balance=balance)
        )
    session.flush()
    leaves = {bytes(row.address): row.balance for row in session.scalars(select(OwnerStateRecord))}
    now = clock.now()
    session.add(
        EpochRecord(
            epoch=epoch, status=FINALIZED, started_at=now, finalized_at=now, inputs_cutoff=now,
            scheduled=0, rollover_in=0, rollover_out=0, paid=0, weights_root=bytes(32),
            total_weight=0, state_root=calculate_account_root(leaves, BALANCE_LEAF),
        )
    )
    session.flush()


@pytest.fixture
def release_budget(database: Database, clock: ManualClock, program: Program) -> Callable[[], int]:
    """Release the current epoch's whole activity budget (as settlement will), committed."""
    def release_budget() -> int:
        with database.transaction() as session:
            epoch = current_day(session, clock)
            amount = calculate_epoch_budget(program.parameters.activity, epoch)
            return release_activity_budget(session, clock, epoch, amount).amount

    return release_budget


@pytest.fixture
def exhaust_budget(
    database: Database, clock: ManualClock, make_owner: MakeOwner
) -> Callable[[], None]:
    """Release every opened epoch's activity budget and pay all of it to another owner."""

    def exhaust_budget() -> None:
        spender = make_owner()
        with database.transaction() as session:
            release_opened_budgets(session, clock)
            all_of_it = {spender: released_budget(session)}
            pay_from_budget(session, clock, "activity.test", "exhaust", all_of_it, {})

    return exhaust_budget


Snapshot = dict[str, list[tuple[object, ...]]]


@pytest.fixture
def snapshot(database: Database) -> Callable[[], Snapshot]:
    """Every row of every table, to show that a refused operation changed nothing."""

    def snapshot() -> Snapshot:
        with database.session() as session:
            return {
                table.name: sorted(
                    (
                        tuple(bytes(v) if isinstance(v, memoryview) else v for v in row)
                        for row in session.execute(select(table))
                    ),
                    key=repr,
                )
                for table in metadata.sorted_tables
            }

    return snapshot


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]):
    """With CI=true, a test skipped for want of PostgreSQL, anvil, Node or Chromium fails."""
    report = yield
    fail_skipped_service(item, report)
    return report
