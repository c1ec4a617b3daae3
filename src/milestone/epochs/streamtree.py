"""OpenZeppelin's standard Merkle tree from a stream of leaves, in bounded memory.

The fast path beside the rule (`milestone.rules.merkle`), tested equal to it: same root, same
node array, same proofs. The rule sorts every leaf hash in memory; an epoch of ten million owners
has 40–120 million weight leaves, 1.3–3.8 GB of bare hashes before Python's per-object cost. So
past `RUN_LEAVES` leaves this module sorts externally, by distribution rather than by merging:
leaves are hashed in batches and each leaf's record (the 32-byte leaf hash, then the leaf's ABI
encoding when the caller wants to know where each value landed) is appended to one of
`BUCKETS` files chosen by the hash's first byte. Keccak spreads hashes evenly, so each bucket
holds about `1/BUCKETS` of the leaves, and sorting the buckets one by one in memory, in order,
gives every leaf in sorted order: no k-way merge, whose per-record Python cost was a third of
the tree's. Records are fixed-size, so they need no framing.

The tree is then built in the layout's own order, from the last node to the root: leaf `j` of
the sorted order is node `2n − 2 − j`, and inner node `k` is the sorted-pair hash of nodes
`2k + 1` and `2k + 2`. Walking `k` downwards consumes the nodes in exactly the order they were
produced, two at a time, so the pending nodes form a queue; it holds up to half the tree, so it
lives in a temporary file too, read and written in slices. Every node can be handed to a sink
as it is made (to store the tree for proofs); memory stays at a few batches and one bucket.
"""

from __future__ import annotations

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
"""Leaves hashed (and, if they are all, sorted in memory) at once: past this, their records go
to the bucket files (a batch of 2^18 leaves with its encodings is some 50 MB of Python
objects)."""
BUCKETS: Final[int] = 256
"""Bucket files, one per value of a leaf hash's first byte: a tenth of a bucket of the weights
of ten million owners (120 million leaves) is some 470,000 hashes, 15 MB."""
BATCH_NODES: Final[int] = 1 << 14
"""Inner nodes hashed per step of the queue (one list comprehension each)."""
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
    order, each leaf with its encoding. At most `run_leaves` leaves are held in memory at once
    (and one bucket); spill files go to `directory` (the system's temporary directory by
    default) and are removed before returning.
    """
    keep = on_node is not None
    with tempfile.TemporaryDirectory(prefix="milestone-tree-", dir=directory) as scratch:
        in_memory, buckets, count, record = _hash_leaves(encoded, run_leaves, keep, scratch)
        if count == 0:
            return EMPTY_ROOT, 0
        if in_memory is not None:
            return _build_in_memory(in_memory, count, on_node), count
        sorted_records = _read_buckets(buckets, record)
        return _build_streaming(sorted_records, count, on_node, scratch), count


def _leaf_records(batch: list[bytes], keep: bool) -> list[bytes]:
    hashes = keccak256_many(keccak256_many(batch))
    return [h + e for h, e in zip(hashes, batch, strict=True)] if keep else hashes


def _hash_leaves(
    encoded: Iterable[bytes], run_leaves: int, keep: bool, scratch: str
) -> tuple[list[bytes] | None, list[str], int, int]:
    """The leaves' records: sorted in memory if they fit in one batch, else distributed over
    bucket files in `scratch`; the number of leaves, and the size of a record (every encoding
    of a tree has one size)."""
    paths = [os.path.join(scratch, f"bucket-{b:03d}") for b in range(BUCKETS)]
    count = record = 0
    batch: list[bytes] = []
    spilled = False
    for item in encoded:
        batch.append(item)
        if len(batch) >= run_leaves:
            record = record or HASH_BYTES + (len(item) if keep else 0)
            _distribute(_leaf_records(batch, keep), paths)
            spilled = True
            count += len(batch)
            batch = []
    if batch:
        record = record or HASH_BYTES + (len(batch[0]) if keep else 0)
        count += len(batch)
        records = _leaf_records(batch, keep)
        if not spilled:
            return sorted(records), [], count, record
        _distribute(records, paths)
    return None, paths, count, record


def _distribute(records: list[bytes], paths: list[str]) -> None:
    """Append each record to the bucket of its first byte."""
    buckets: list[list[bytes]] = [[] for _ in range(BUCKETS)]
    for item in records:
        buckets[item[0]].append(item)
    for path, bucket in zip(paths, buckets, strict=True):
        if bucket:
            with open(path, "ab") as handle:
                handle.write(b"".join(bucket))


def _read_buckets(paths: list[str], record: int) -> Iterator[list[bytes]]:
    """Every record in sorted order, a bucket (sorted in memory) at a time. Equal leaf hashes
    are equal leaves: any order of them builds the same tree."""
    for path in paths:
        if not os.path.exists(path):
            continue
        with open(path, "rb") as handle:
            data = handle.read()
        os.remove(path)
        yield sorted(data[i : i + record] for i in range(0, len(data), record))


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


class _SortedLeaves:
    """The sorted leaf records, handed out in slices of the hashes, in the queue's order."""

    def __init__(self, chunks: Iterator[list[bytes]], count: int, on_node: NodeSink | None):
        self._chunks, self._on_node = chunks, on_node
        self._chunk: list[bytes] = []
        self._at = 0
        self.left = count
        self._next_node = 2 * count - 2

    def take(self, wanted: int) -> list[bytes]:
        taken: list[bytes] = []
        while self.left and len(taken) < wanted:
            if self._at == len(self._chunk):
                self._chunk, self._at = next(self._chunks), 0
            part = self._chunk[self._at : self._at + min(wanted - len(taken), self.left)]
            self._at += len(part)
            if self._on_node is None:
                taken += part
            else:
                for offset, item in enumerate(part):
                    self._on_node(self._next_node - offset, item[:HASH_BYTES], item[HASH_BYTES:])
                taken += [item[:HASH_BYTES] for item in part]
            self.left -= len(part)
            self._next_node -= len(part)
        return taken


def _build_streaming(
    chunks: Iterator[list[bytes]], count: int, on_node: NodeSink | None, scratch: str
) -> bytes:
    """Nodes from the last to the root: the sorted leaves first, then each inner node `k` from
    the two nodes at the queue's front (`2k + 2` and `2k + 1`)."""
    queue = _NodeQueue(scratch)
    leaves = _SortedLeaves(chunks, count, on_node)
    hasher = sha3.keccak_256

    def take(wanted: int) -> list[bytes]:
        # The queue's front: leaves not yet consumed come before every inner node.
        taken = leaves.take(wanted)
        return taken + queue.pop(wanted - len(taken)) if len(taken) < wanted else taken

    try:
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
