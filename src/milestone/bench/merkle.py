"""How fast a Merkle tree of an epoch's leaves builds, against the bare keccak floor."""

from __future__ import annotations

import random
import time
from dataclasses import asdict, dataclass
from typing import Any

from milestone.rules.hashing import keccak256_many
from milestone.rules.merkle import StandardMerkleTree

LEAF_TYPES = ("address", "uint256")
PROOFS = 10_000


@dataclass(frozen=True)
class MerkleBench:
    """One run's figures: the tree build, the keccak floor for as many hashes, their ratio."""

    leaves: int
    hashes: int
    build_seconds: float
    floor_seconds: float
    ratio: float
    leaves_per_second: int
    proofs_per_second: int
    root: str

    def to_json(self) -> dict[str, Any]:
        """Plain values for `--json`."""
        return asdict(self)


def make_leaves(count: int, seed: int = 0) -> list[tuple[bytes, int]]:
    """`count` (address, balance) leaves, the same for the same seed."""
    rng = random.Random(seed)
    return [(rng.randbytes(20), rng.getrandbits(56)) for _ in range(count)]


def run_merkle_bench(leaves: int = 1_000_000, seed: int = 0) -> MerkleBench:
    """
    Build a tree over `leaves` (address, uint256) values and time the same number of bare hashes.

    A tree of n leaves takes 3n - 1 keccak calls: two per leaf (a 64-byte encoding, then its
    32-byte hash) and one per inner node (64 bytes). The floor hashes inputs of exactly those
    sizes in the same tight loop the tree uses, so the ratio is what encoding, sorting and
    arranging the tree cost on top of hashing alone.
    """
    values = make_leaves(leaves, seed)
    started = time.perf_counter()
    tree = StandardMerkleTree.of(values, LEAF_TYPES)
    build_seconds = time.perf_counter() - started

    rng = random.Random(seed + 1)
    wide = [rng.randbytes(64) for _ in range(2 * leaves - 1)]
    narrow = [rng.randbytes(32) for _ in range(leaves)]
    started = time.perf_counter()
    keccak256_many(wide)
    keccak256_many(narrow)
    floor_seconds = time.perf_counter() - started

    tree.get_proof(0)  # works out every value's node once, outside the timed loop
    proofs = min(PROOFS, leaves)
    started = time.perf_counter()
    for index in range(proofs):
        tree.get_proof(index)
    proof_seconds = time.perf_counter() - started

    return MerkleBench(
        leaves=leaves,
        hashes=3 * leaves - 1,
        build_seconds=round(build_seconds, 3),
        floor_seconds=round(floor_seconds, 3),
        ratio=round(build_seconds / floor_seconds, 2),
        leaves_per_second=round(leaves / build_seconds),
        proofs_per_second=round(proofs / proof_seconds),
        root="0x" + tree.root.hex(),
    )
