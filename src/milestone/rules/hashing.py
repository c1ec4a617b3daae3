"""keccak-256, the hash of every commitment in the program."""

from __future__ import annotations

import sha3  # safe-pysha3: C-backed, about six times faster per call than pycryptodome's keccak


def keccak256(data: bytes) -> bytes:
    """The 32-byte keccak-256 digest (Ethereum's, not NIST SHA3-256) of `data`."""
    digest: bytes = sha3.keccak_256(data).digest()
    return digest
