"""OpenZeppelin's standard Merkle tree from a stream of leaves, in bounded memory.

The fast path beside the rule (`milestone.rules.merkle`), tested equal to it: same root, same
node array, same proofs. The rule sorts every leaf hash in memory; an epoch of ten million owners
has 40–120 million weight leaves, 1.3–3.8 GB of bare hashes before Python's per-object cost. So
past `RUN_LEAVES` leaves this module sorts externally: leaves are hashed in batches, each batch
sorted and written to a temporary file as fixed-size records (the 32-byte leaf hash, then the
leaf's ABI encoding when the caller wants to know where each value landed), and the runs are
merged. Hashes are fixed-size, so records need no framing and a run is read back in large
slices.

The tree is then built in the layout's own order, from the last node to the root: leaf `j` of
the sorted order is node `2n − 2 − j`, and inner node `k` is the sorted-pair hash of nodes
`2k + 1` and `2k + 2`. Walking `k` downwards consumes the nodes in exactly the order they were
produced, two at a time, so the pending nodes form a queue; it holds up to half the tree, so it
lives in a temporary file too, read and written in slices. Every node can be handed to a sink
as it is made (to store the tree for proofs); memory stays at a few batches whatever `n`.
"""

from __future__ import annotations

import heapq
import os
import tempfile
from collections.abc import Callable, Iterable, Iterator
from typing import IO, Final

import sha3

from milestone.rules.hashing import keccak256_many
from milestone.rules.leaves import EMPTY_ROOT as LEAVES_EMPTY_ROOT
from milestone.rules.merkle import build_tree

HASH_BYTES: Final[int] = 32
RUN_LEAVES: Final[int] = 1 << 18
"""Leaves sorted in memory at once: past this, runs go to disk (a run of 2^18 leaves with its
encodings is some 50 MB of Python objects)."""
BATCH_NODES: Final[int] = 1 << 14
"""Inner nodes hashed per step of the queue (one list comprehension each)."""
READ_RECORDS: Final[int] = 1 << 12
EMPTY_ROOT: Final[bytes] = LEAVES_EMPTY_ROOT

NodeSink = Callable[[int, bytes, bytes | None], None]
"""Called with (node index, node hash, the leaf's ABI encoding or None for an inner node) for
every node of the tree."""


def build_streamed_tree(
    encoded: Iterable[bytes],
    *,
    on_node: NodeSink | None = None,
    run_leaves: int = RUN_LEAVES,
    directory: str | None = None,
) -> tuple[bytes, int]:
    """
    The root of the standard tree over ABI-encoded leaves given in any order, and their count.

    Identical to `StandardMerkleTree.of(values, types)` over the values those encodings encode
    (`EMPTY_ROOT` and 0 when there are none). `on_node` receives every node in decreasing node
    order, each leaf with its encoding. At most `run_leaves`
    leaves are held in memory; spill files go to `directory` (the system's temporary directory
    by default) and are removed before returning.
    """
    keep = on_node is not None
    with tempfile.TemporaryDirectory(prefix="milestone-tree-", dir=directory) as scratch:
        runs, count, record = _sorted_runs(encoded, run_leaves, keep, scratch)
        if count == 0:
            return EMPTY_ROOT, 0
        if len(runs) == 1 and isinstance(runs[0], list):
            return _build_in_memory(runs[0], count, on_node), count
        sorted_records = _merge(runs, record)
        return _build_streaming(sorted_records, count, on_node, scratch), count


def _leaf_records(batch: list[bytes], keep: bool) -> list[bytes]:
    hashes = keccak256_many(keccak256_many(batch))
    return [h + e for h, e in zip(hashes, batch, strict=True)] if keep else hashes


def _sorted_runs(
    encoded: Iterable[bytes], run_leaves: int, keep: bool, scratch: str
) -> tuple[list[list[bytes] | str], int, int]:
    """Sorted runs of leaf records: one list if all fit in memory, else files in `scratch`;
    the number of leaves, and the size of a record (every encoding of a tree has one size)."""
    runs: list[list[bytes] | str] = []
    count = record = 0
    batch: list[bytes] = []
    spilled = False
    for item in encoded:
        batch.append(item)
        record = record or HASH_BYTES + (len(item) if keep else 0)
        if len(batch) >= run_leaves:
            spilled = True
            runs.append(_write_run(sorted(_leaf_records(batch, keep)), scratch, len(runs)))
            count += len(batch)
            batch = []
    if batch:
        records = sorted(_leaf_records(batch, keep))
        count += len(batch)
        runs.append(_write_run(records, scratch, len(runs)) if spilled else records)
    return runs, count, record


def _write_run(records: list[bytes], scratch: str, number: int) -> str:
    path = os.path.join(scratch, f"run-{number:05d}")
    with open(path, "wb") as handle:
        handle.write(b"".join(records))
    return path


def _merge(runs: list[list[bytes] | str], record: int) -> Iterator[bytes]:
    """The records of every run in sorted order (equal leaf hashes are equal leaves: any order of
    them builds the same tree)."""
    return heapq.merge(*(_read_run(run, record) for run in runs if isinstance(run, str)))


def _read_run(path: str, record: int) -> Iterator[bytes]:
    with open(path, "rb") as handle:
        while chunk := handle.read(record * READ_RECORDS):
            yield from (chunk[i : i + record] for i in range(0, len(chunk), record))


def _build_in_memory(records: list[bytes], count: int, on_node: NodeSink | None) -> bytes:
    tree = build_tree([record[:HASH_BYTES] for record in records])
    if on_node is not None:
        last = 2 * count - 2
        for index in range(last, count - 2, -1):
            on_node(index, tree[index], records[last - index][HASH_BYTES:])
        for index in range(count - 2, -1, -1):
            on_node(index, tree[index], None)
    return tree[0]


class _NodeQueue:
    """A first-in first-out queue of 32-byte nodes in a file, written and read in slices."""

    def __init__(self, scratch: str) -> None:
        self._file: IO[bytes] = open(os.path.join(scratch, "queue"), "w+b")  # noqa: SIM115
        self._written = 0
        self._read = 0

    def push(self, nodes: list[bytes]) -> None:
        self._file.seek(self._written)
        data = b"".join(nodes)
        self._file.write(data)
        self._written += len(data)

    def pop(self, count: int) -> list[bytes]:
        self._file.seek(self._read)
        data = self._file.read(count * HASH_BYTES)
        self._read += len(data)
        return [data[i : i + HASH_BYTES] for i in range(0, len(data), HASH_BYTES)]

    def __len__(self) -> int:
        return (self._written - self._read) // HASH_BYTES

    def close(self) -> None:
        self._file.close()


def _build_streaming(
    records: Iterator[bytes], count: int, on_node: NodeSink | None, scratch: str
) -> bytes:
    """Nodes from the last to the root: the sorted leaves first, then each inner node `k` from
    the two nodes at the queue's front (`2k + 2` and `2k + 1`)."""
    queue = _NodeQueue(scratch)
    hasher = sha3.keccak_256
    try:
        leaves_left = count
        next_leaf = 2 * count - 2

        def take(wanted: int) -> list[bytes]:
            # The queue's front: leaves not yet consumed come before every inner node.
            nonlocal leaves_left, next_leaf
            taken: list[bytes] = []
            while leaves_left and len(taken) < wanted:
                record = next(records)
                leaf = record[:HASH_BYTES]
                if on_node is not None:
                    on_node(next_leaf, leaf, record[HASH_BYTES:])
                taken.append(leaf)
                leaves_left -= 1
                next_leaf -= 1
            if len(taken) < wanted:
                taken += queue.pop(wanted - len(taken))
            return taken

        if count == 1:
            return take(1)[0]
        k = count - 2
        while k >= 0:
            batch = min(BATCH_NODES, (k + 2) // 2)
            children = take(2 * batch)
            parents = [
                hasher(a + b if a < b else b + a).digest()
                for a, b in zip(children[0::2], children[1::2], strict=True)
            ]
            if on_node is not None:
                for offset, parent in enumerate(parents):
                    on_node(k - offset, parent, None)
            queue.push(parents)
            k -= batch
        (root,) = queue.pop(1)
        return root
    finally:
        queue.close()
