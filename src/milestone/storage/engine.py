"""Engines for the two supported databases: a SQLite file (default) and PostgreSQL.

SQLite runs in WAL mode (readers never block the writer), with foreign keys enforced and a busy
timeout so concurrent writers wait their turn instead of failing at once. pysqlite's own
transaction handling is switched off and SQLAlchemy emits BEGIN itself, so that a write unit of
work can take SQLite's write lock up front (BEGIN IMMEDIATE): a deferred transaction that reads
first and writes later can fail to upgrade its lock when another writer got in between.
PostgreSQL is reached through psycopg 3 at READ COMMITTED; writers serialize on row locks.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import URL, make_url

SQLITE_BUSY_TIMEOUT_MS = 30_000
"""How long a SQLite writer waits for the write lock before giving up."""

WRITE_OPTION = "milestone_write"
"""Execution option marking a connection whose transactions will write (BEGIN IMMEDIATE)."""


def normalize_url(url: str | URL) -> URL:
    """The URL with PostgreSQL routed through psycopg 3 whatever driver name it was given."""
    parsed = make_url(url)
    if parsed.drivername in ("postgresql", "postgres", "postgresql+psycopg2"):
        parsed = parsed.set(drivername="postgresql+psycopg")
    if parsed.get_backend_name() not in ("sqlite", "postgresql"):
        raise ValueError(f"unsupported database {parsed.get_backend_name()!r}")
    return parsed


def is_sqlite(engine: Engine) -> bool:
    return engine.dialect.name == "sqlite"


def create_database_engine(url: str | URL, **options: Any) -> Engine:
    """An engine for `url`; a SQLite file's directory is created if missing."""
    parsed = normalize_url(url)
    if parsed.get_backend_name() == "sqlite":
        return _create_sqlite_engine(parsed, **options)
    return create_engine(parsed, pool_pre_ping=True, **options)


def _create_sqlite_engine(url: URL, **options: Any) -> Engine:
    if url.database and url.database != ":memory:":
        Path(url.database).parent.mkdir(parents=True, exist_ok=True)
    engine = create_engine(url, connect_args={"timeout": SQLITE_BUSY_TIMEOUT_MS / 1000}, **options)

    @event.listens_for(engine, "connect")
    def _configure(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None  # SQLAlchemy emits BEGIN, see _begin
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _begin(connection: Any) -> None:
        writes = connection.get_execution_options().get(WRITE_OPTION, False)
        connection.exec_driver_sql("BEGIN IMMEDIATE" if writes else "BEGIN")

    return engine
