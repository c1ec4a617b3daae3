"""Throwaway PostgreSQL databases on a running server, for the tests and the benchmarks."""

from __future__ import annotations

import os
import re
import secrets

from sqlalchemy import create_engine, text
from sqlalchemy.engine import URL
from sqlalchemy.exc import OperationalError

from milestone.storage.engine import normalize_url

DEFAULT_SERVER_URL = "postgresql+psycopg://milestone:milestone@127.0.0.1:5432/postgres"
SERVER_URL_VARIABLE = "MILESTONE_TEST_PG_URL"
CONNECT_TIMEOUT_SECONDS = 3

_NAME = re.compile(r"[a-z_][a-z0-9_]{0,62}")


def server_url() -> URL:
    """The maintenance database URL: `$MILESTONE_TEST_PG_URL`, else the local test server."""
    return normalize_url(os.environ.get(SERVER_URL_VARIABLE, DEFAULT_SERVER_URL))


def unreachable_reason(server: URL) -> str | None:
    """Why the server cannot be used, or None when it answers."""
    engine = create_engine(server, connect_args={"connect_timeout": CONNECT_TIMEOUT_SECONDS})
    try:
        with engine.connect() as connection:
            connection.execute(text("SELECT 1"))
    except OperationalError as error:
        first_line = str(error.orig).strip().splitlines()[0] if error.orig else str(error)
        return (
            f"PostgreSQL at {server.render_as_string(hide_password=True)} unreachable: {first_line}"
        )
    finally:
        engine.dispose()
    return None


def unique_name(prefix: str) -> str:
    return f"{prefix}_{os.getpid()}_{secrets.token_hex(4)}"


def create_database(server: URL, name: str, *, template: str | None = None) -> URL:
    """Create database `name` (a copy of `template`, if given) and return its URL."""
    _check_name(name)
    statement = f'CREATE DATABASE "{name}"'
    if template is not None:
        _check_name(template)
        statement += f' TEMPLATE "{template}"'
    _administer(server, statement)
    return server.set(database=name)


def drop_database(server: URL, name: str) -> None:
    """Drop database `name`, disconnecting whoever is still connected."""
    _check_name(name)
    _administer(server, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _administer(server: URL, statement: str) -> None:
    # CREATE/DROP DATABASE cannot run inside a transaction.
    engine = create_engine(server, isolation_level="AUTOCOMMIT")
    try:
        with engine.connect() as connection:
            connection.exec_driver_sql(statement)
    finally:
        engine.dispose()


def _check_name(name: str) -> None:
    if not _NAME.fullmatch(name):
        raise ValueError(f"not a plain database name: {name!r}")
