"""`MILESTONE_DATABASE_READ_URL`: the API's reads come from a real streaming replica, writes and
log-ins from the primary."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from pydantic import ValidationError
from sqlalchemy import create_engine, text
from sqlalchemy.engine import URL, make_url

from milestone.api.app import create_app
from milestone.auth import FAST_HASHER
from milestone.clock import ManualClock
from milestone.program.service import Program
from milestone.settings import Settings
from milestone.storage import Database

from .conftest import add_user, give_vehicle, login
from .replica import streaming_replica, unavailable_reason, wait_for_replay

ON_POSTGRESQL = pytest.mark.parametrize(
    "database_reset", [pytest.param("postgresql", marks=pytest.mark.postgres)], indirect=True
)
"""Only the PostgreSQL half of the `database` fixtures: SQLite has no streaming replica."""


@pytest.fixture
def replica_url(database: Database) -> Iterator[URL]:
    reason = unavailable_reason()
    if reason is not None:
        pytest.skip(reason)
    primary = make_url(database.engine.url.render_as_string(hide_password=False))
    with streaming_replica(primary) as replica:
        yield replica


def replay(database: Database, replica: URL, paused: bool) -> None:
    engine = create_engine(replica)
    with engine.connect() as connection:
        call = "pg_wal_replay_pause" if paused else "pg_wal_replay_resume"
        connection.execute(text(f"SELECT {call}()"))
    engine.dispose()


@ON_POSTGRESQL
def test_reads_come_from_the_replica_and_writes_go_to_the_primary(
    database: Database,
    clock: ManualClock,
    program: Program,
    make_owner: Callable[[], int],
    replica_url: URL,
    tmp_path: Path,
) -> None:
    primary = make_url(database.engine.url.render_as_string(hide_password=False))
    settings = Settings(
        data_dir=tmp_path,
        database_url=primary.render_as_string(hide_password=False),
        database_read_url=replica_url.render_as_string(hide_password=False),
        api_login_per_minute=1_000,
        api_writes_per_minute=1_000,
    )
    add_user(database, clock, "olga", "operator")
    owner = make_owner()
    first = give_vehicle(database, clock, owner, 1)
    wait_for_replay(primary, replica_url)
    app = create_app(settings, clock, hasher=FAST_HASHER, web_dir=None)
    with TestClient(app, raise_server_exceptions=False) as client:
        with app.state.context.reader.session() as session:
            assert session.execute(text("SELECT pg_is_in_recovery()")).scalar_one()
        operator = login(client, "olga")
        read = client.get(f"/api/v1/vehicles/{first.vehicle_id}", headers=operator)
        assert read.status_code == 200, read.text
        # With the replica's replay paused, a vehicle written on the primary is not read yet:
        # the read went to the replica. Once replayed, it is.
        replay(database, replica_url, paused=True)
        second = give_vehicle(database, clock, owner, 2)
        path = f"/api/v1/vehicles/{second.vehicle_id}"
        assert client.get(path, headers=operator).status_code == 404
        replay(database, replica_url, paused=False)
        wait_for_replay(primary, replica_url)
        assert client.get(path, headers=operator).status_code == 200


def test_a_read_url_that_is_not_postgresql_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ValidationError, match="PostgreSQL streaming replica"):
        Settings(data_dir=tmp_path, database_read_url=f"sqlite:///{tmp_path / 'copy.db'}")
    assert Settings(data_dir=tmp_path, database_read_url="postgresql://h/db").database_read_url
