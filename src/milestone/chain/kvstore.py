"""A py-evm key-value database in one SQLite file, so the embedded chain survives restarts.

py-evm keeps a chain (headers, blocks, receipts, state trie nodes) in an `AtomicDatabaseAPI`: a
byte-keyed map whose `atomic_batch()` writes everything or nothing. Each batch here is one
SQLite transaction, so a process killed mid-block leaves the previous head intact.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from eth.abc import AtomicWriteBatchAPI
from eth.db.atomic import AtomicDBWriteBatch
from eth.db.backends.base import BaseAtomicDB


class SQLiteKeyValueStore(BaseAtomicDB):
    """An atomic byte-keyed store over a SQLite table `kv(key, value)`."""

    def __init__(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        # Autocommit mode: single writes land at once; batches open explicit transactions.
        self._connection = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
        # WAL with NORMAL sync: a crash may lose the last transactions but never corrupts the
        # file, and a block costs one fsync at checkpoint instead of one per write.
        self._connection.execute("PRAGMA journal_mode=WAL")
        self._connection.execute("PRAGMA synchronous=NORMAL")
        self._connection.execute(
            "CREATE TABLE IF NOT EXISTS kv (key BLOB PRIMARY KEY, value BLOB NOT NULL) "
            "WITHOUT ROWID"
        )

    def __getitem__(self, key: bytes) -> bytes:
        row = self._connection.execute("SELECT value FROM kv WHERE key = ?", (key,)).fetchone()
        if row is None:
            raise KeyError(key)
        value: bytes = row[0]
        return value

    def __setitem__(self, key: bytes, value: bytes) -> None:
        self._connection.execute(
            "INSERT INTO kv (key, value) VALUES (?, ?) "
            "ON CONFLICT (key) DO UPDATE SET value = excluded.value",
            (key, value),
        )

    def __delitem__(self, key: bytes) -> None:
        cursor = self._connection.execute("DELETE FROM kv WHERE key = ?", (key,))
        if cursor.rowcount == 0:
            raise KeyError(key)

    def _exists(self, key: bytes) -> bool:
        row = self._connection.execute("SELECT 1 FROM kv WHERE key = ?", (key,)).fetchone()
        return row is not None

    @contextmanager
    def atomic_batch(self) -> Iterator[AtomicWriteBatchAPI]:
        with _TransactionalWriteBatch._commit_unless_raises(self) as batch:
            yield batch

    @contextmanager
    def transaction(self) -> Iterator[None]:
        """Group the writes inside into one SQLite transaction."""
        self._connection.execute("BEGIN IMMEDIATE")
        try:
            yield
        except BaseException:
            self._connection.execute("ROLLBACK")
            raise
        self._connection.execute("COMMIT")

    def clear(self) -> None:
        """Forget every key (in one transaction): for remaking a chain that holds nothing yet."""
        with self.transaction():
            self._connection.execute("DELETE FROM kv")

    def close(self) -> None:
        self._connection.close()


class _TransactionalWriteBatch(AtomicDBWriteBatch):
    """py-evm's write batch, committed inside one SQLite transaction."""

    _write_target_db: SQLiteKeyValueStore

    def _commit(self) -> None:
        with self._write_target_db.transaction():
            super()._commit()
