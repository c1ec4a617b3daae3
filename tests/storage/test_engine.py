"""Engines: URL handling, SQLite's pragmas, and the write lock taken at BEGIN."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from milestone.storage import Database
from milestone.storage.engine import SQLITE_BUSY_TIMEOUT_MS, create_database_engine, normalize_url


@pytest.mark.parametrize(
    "url",
    [
        "postgresql://u:p@h/db",
        "postgres://u:p@h/db",
        "postgresql+psycopg2://u:p@h/db",
        "postgresql+psycopg://u:p@h/db",
    ],
)
def test_postgresql_always_goes_through_psycopg_3(url: str) -> None:
    assert normalize_url(url).drivername == "postgresql+psycopg"


def test_other_databases_are_refused() -> None:
    with pytest.raises(ValueError, match="unsupported database"):
        normalize_url("mysql://u:p@h/db")


def test_sqlite_runs_in_wal_mode_with_foreign_keys_and_a_busy_timeout(tmp_path: Path) -> None:
    engine = create_database_engine(f"sqlite:///{tmp_path / 'new' / 'dir' / 'm.db'}")
    with engine.connect() as connection:
        pragma = connection.exec_driver_sql
        assert pragma("PRAGMA journal_mode").scalar() == "wal"
        assert pragma("PRAGMA foreign_keys").scalar() == 1
        assert pragma("PRAGMA busy_timeout").scalar() == SQLITE_BUSY_TIMEOUT_MS
    engine.dispose()


def test_a_sqlite_write_transaction_holds_the_write_lock_from_its_start(tmp_path: Path) -> None:
    path = tmp_path / "m.db"
    database = Database.from_url(f"sqlite:///{path}")
    other = sqlite3.connect(path, timeout=0, isolation_level=None)
    with database.transaction(), pytest.raises(sqlite3.OperationalError, match="locked"):
        other.execute("BEGIN IMMEDIATE")
    with database.session() as session:
        session.connection()  # a reading session takes no write lock
        other.execute("BEGIN IMMEDIATE")
        other.execute("ROLLBACK")
    other.close()
    database.dispose()
