"""The SQLite key-value store under the embedded chain: a dict that survives and batches."""

from __future__ import annotations

from pathlib import Path

import pytest

from milestone.chain.kvstore import SQLiteKeyValueStore


def test_values_are_stored_read_and_deleted(tmp_path: Path) -> None:
    store = SQLiteKeyValueStore(tmp_path / "kv.sqlite")
    store[b"a"] = b"1"
    store[b"a"] = b"2"
    assert store[b"a"] == b"2"
    assert b"a" in store
    del store[b"a"]
    assert b"a" not in store
    with pytest.raises(KeyError):
        store[b"a"]
    with pytest.raises(KeyError):
        del store[b"a"]
    store.close()


def test_values_survive_reopening(tmp_path: Path) -> None:
    store = SQLiteKeyValueStore(tmp_path / "kv.sqlite")
    store[b"key"] = b"value"
    store.close()
    reopened = SQLiteKeyValueStore(tmp_path / "kv.sqlite")
    assert reopened[b"key"] == b"value"
    reopened.close()


def test_a_batch_writes_everything(tmp_path: Path) -> None:
    store = SQLiteKeyValueStore(tmp_path / "kv.sqlite")
    store[b"gone"] = b"x"
    with store.atomic_batch() as batch:
        batch[b"a"] = b"1"
        batch[b"b"] = b"2"
        del batch[b"gone"]
        assert batch[b"a"] == b"1"
        assert b"a" not in store  # not visible outside the batch before it commits
    assert (store[b"a"], store[b"b"], b"gone" in store) == (b"1", b"2", False)
    store.close()


def test_a_failed_batch_writes_nothing(tmp_path: Path) -> None:
    store = SQLiteKeyValueStore(tmp_path / "kv.sqlite")
    store[b"kept"] = b"old"
    with pytest.raises(RuntimeError), store.atomic_batch() as batch:
        batch[b"kept"] = b"new"
        batch[b"a"] = b"1"
        raise RuntimeError("interrupted")
    assert store[b"kept"] == b"old"
    assert b"a" not in store
    store.close()
