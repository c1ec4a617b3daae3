"""keccak-256, the hash of every commitment in the program."""

from __future__ import annotations

from collections.abc import Iterable

import sha3  # safe-pysha3: C-backed, about six times faster per call than pycryptodome's keccak


def keccak256(data: bytes) -> bytes:
    """The 32-byte keccak-256 digest (Ethereum's, not NIST SHA3-256) of `data`."""
    digest: bytes = sha3.keccak_256(data).digest()
    return digest


def keccak256_many(items: Iterable[bytes]) -> list[bytes]:
    """The digests of many inputs, in order: one tight loop, for trees of a million leaves."""
    hasher = sha3.keccak_256
    return [hasher(item).digest() for item in items]
