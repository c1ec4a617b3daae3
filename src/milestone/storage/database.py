"""The database handle the services receive, and the unit of work that commits them.

Services take a `Session` and never commit: a caller composes several of them (its own rows plus
ledger postings, say) and commits them together, atomically, through `Database.transaction` or
`Database.run`. `run` also retries the whole unit when the database reports a transient
conflict (a PostgreSQL serialization failure or deadlock, a SQLite lock timeout), so callers
write the unit as a function of the session that is safe to run again.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TypeVar

from sqlalchemy import Engine
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session, sessionmaker

from milestone.storage.engine import WRITE_OPTION, create_database_engine
from milestone.storage.migrations import migrate

T = TypeVar("T")

RETRY_ATTEMPTS = 5
RETRY_BACKOFF_SECONDS = 0.05
"""First pause before a retry; it doubles with each attempt."""

POSTGRES_TRANSIENT_SQLSTATES = frozenset({"40001", "40P01"})
"""serialization_failure and deadlock_detected: the transaction can simply run again."""

SQLITE_TRANSIENT_CODES = frozenset({5, 6, 517})
"""SQLITE_BUSY, SQLITE_LOCKED and SQLITE_BUSY_SNAPSHOT."""


class Database:
    """An engine and its sessions: reads through `session()`, writes through a unit of work."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self._sessions = sessionmaker(engine, expire_on_commit=False)

    @classmethod
    def from_url(cls, url: str) -> Database:
        return cls(create_database_engine(url))

    @property
    def dialect(self) -> str:
        return self.engine.dialect.name

    def session(self) -> Session:
        """A session for reading (use it as a context manager); it must not write."""
        return self._sessions()

    @contextmanager
    def transaction(self) -> Iterator[Session]:
        """One write transaction: committed when the block ends, rolled back if it raises."""
        with self._sessions() as session:
            # Taking SQLite's write lock at BEGIN: see milestone.storage.engine.
            session.connection(execution_options={WRITE_OPTION: True})
            try:
                yield session
                session.commit()
            except BaseException:
                session.rollback()
                raise

    @contextmanager
    def snapshot(self) -> Iterator[Session]:
        """A read-only session that sees one consistent state of the database throughout."""
        with self._sessions() as session:
            if self.dialect == "postgresql":
                session.connection(
                    execution_options={
                        "isolation_level": "REPEATABLE READ",
                        "postgresql_readonly": True,
                    }
                )
            # SQLite: a WAL reader keeps the snapshot of its first read until the transaction ends.
            try:
                yield session
            finally:
                session.rollback()

    def run(self, work: Callable[[Session], T], *, attempts: int = RETRY_ATTEMPTS) -> T:
        """Run `work` in one write transaction and commit, retrying transient conflicts."""
        for attempt in range(1, attempts + 1):
            try:
                with self.transaction() as session:
                    return work(session)
            except DBAPIError as error:
                if attempt == attempts or not is_transient(error):
                    raise
            time.sleep(RETRY_BACKOFF_SECONDS * 2 ** (attempt - 1))
        raise AssertionError("unreachable: the last attempt returns or raises")

    def dispose(self) -> None:
        self.engine.dispose()


def open_database(url: str) -> Database:
    """The database at `url`, migrated to the newest schema: what the program does on start."""
    database = Database.from_url(url)
    migrate(database.engine)
    return database


def is_transient(error: DBAPIError) -> bool:
    """Whether the failed transaction may succeed if simply run again."""
    original = error.orig
    sqlstate = getattr(original, "sqlstate", None)
    if sqlstate is not None:
        return sqlstate in POSTGRES_TRANSIENT_SQLSTATES
    return getattr(original, "sqlite_errorcode", None) in SQLITE_TRANSIENT_CODES
