"""One settler at a time: a PostgreSQL advisory lock, or a lock file beside a SQLite database.

Both locks belong to the process holding them and vanish with it, so a settler killed with
`kill -9` never leaves a stale lock behind for the next run to clear.
"""

from __future__ import annotations

import fcntl
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import text

from milestone.epochs.errors import SettlementInProgress
from milestone.storage import Database

SETTLEMENT_LOCK_KEY = 0x6D696C6573657474
"""PostgreSQL advisory lock key of settlement ("milesett" in ASCII)."""


@contextmanager
def settlement_lock(database: Database, *, wait: bool = False) -> Iterator[None]:
    """Hold the settlement lock for the block; `SettlementInProgress` if taken and not waiting."""
    if database.dialect == "postgresql":
        with _advisory_lock(database, wait):
            yield
    else:
        with _file_lock(_lock_path(database), wait):
            yield


@contextmanager
def _advisory_lock(database: Database, wait: bool) -> Iterator[None]:
    # A connection of its own in autocommit: the session-level lock lives as long as it does,
    # without an idle transaction held open for the whole settlement.
    with database.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        if wait:
            connection.execute(text("SELECT pg_advisory_lock(:key)"), {"key": SETTLEMENT_LOCK_KEY})
        else:
            taken = connection.execute(
                text("SELECT pg_try_advisory_lock(:key)"), {"key": SETTLEMENT_LOCK_KEY}
            ).scalar_one()
            if not taken:
                raise SettlementInProgress("another settler is running (PostgreSQL advisory lock)")
        try:
            yield
        finally:
            connection.execute(
                text("SELECT pg_advisory_unlock(:key)"), {"key": SETTLEMENT_LOCK_KEY}
            )


def _lock_path(database: Database) -> Path:
    path = database.engine.url.database
    if not path or path == ":memory:":
        raise SettlementInProgress("settlement needs a database file to lock beside")
    return Path(path).with_name(Path(path).name + ".settle.lock")


@contextmanager
def _file_lock(path: Path, wait: bool) -> Iterator[None]:
    with open(path, "a") as handle:
        try:
            fcntl.flock(handle.fileno(), fcntl.LOCK_EX | (0 if wait else fcntl.LOCK_NB))
        except BlockingIOError:
            raise SettlementInProgress(f"another settler is running (lock file {path})") from None
        try:
            yield
        finally:
            fcntl.flock(handle.fileno(), fcntl.LOCK_UN)
