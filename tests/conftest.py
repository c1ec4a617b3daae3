"""Shared fixtures for the whole suite.

`database_url` runs a test twice: on a SQLite file and on a throwaway PostgreSQL database
(skipped, with the reason, when the server at `$MILESTONE_TEST_PG_URL` does not answer). Each
test gets a fresh database already migrated to the head revision: copied from a template
migrated once per run (a file copy for SQLite, `CREATE DATABASE ... TEMPLATE` for PostgreSQL),
which is much faster than migrating per test.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine
from sqlalchemy.engine import URL
from sqlalchemy.orm import Session

from milestone.clock import ManualClock
from milestone.program.service import Program, create_program
from milestone.rules.params import get_preset
from milestone.storage import Database, migrate, scratch
from milestone.storage.engine import create_database_engine

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
def postgres_template(postgres_server: URL) -> Iterator[str]:
    name = scratch.unique_name("milestone_template")
    url = scratch.create_database(postgres_server, name)
    engine = create_database_engine(url)
    migrate(engine)
    engine.dispose()  # a template must have no connections while it is copied
    yield name
    scratch.drop_database(postgres_server, name)


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A fresh database migrated to head, on each backend."""
    if request.param == "sqlite":
        path = tmp_path / "milestone.db"
        shutil.copyfile(request.getfixturevalue("sqlite_template"), path)
        yield f"sqlite:///{path}"
        return
    server: URL = request.getfixturevalue("postgres_server")
    template: str = request.getfixturevalue("postgres_template")
    name = scratch.unique_name("milestone_test")
    url = scratch.create_database(server, name, template=template)
    yield url.render_as_string(hide_password=False)
    scratch.drop_database(server, name)


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
