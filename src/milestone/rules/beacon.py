"""The randomness beacon: commit-reveal from the consortium members, and the epoch's seed.

Each member commits `keccak256(reveal)` on-chain before the epoch's weights root is posted and
reveals afterwards. No member can choose its reveal knowing the weights, and no member can
change it after seeing the others' (the commitment binds it), so nobody steers the drops unless
every member colludes. With the default single member, the operator, that guarantee reduces to
trusting the operator not to grind its own reveal against the weights: docs/protocol.md says so.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Final

from milestone.rules.errors import InvalidAddress, InvalidHash, NoReveals
from milestone.rules.hashing import keccak256

HASH_BYTES: Final[int] = 32
ADDRESS_BYTES: Final[int] = 20


def commit_of(reveal: bytes) -> bytes:
    """The commitment a beacon member publishes for `reveal`: `keccak256(reveal)`."""
    _require_hash("reveal", reveal)
    return keccak256(reveal)


def derive_seed(weights_root: bytes, reveals: Sequence[bytes]) -> bytes:
    """
    The epoch's seed: `keccak256(weights_root ‖ reveal_1 ‖ … ‖ reveal_m)`.

    The reveals are concatenated in ascending order of their members' addresses (20-byte
    big-endian comparison), the order the contract keeps its members in, so the seed does not
    depend on who revealed first. Binding the weights root into the seed makes drops of one
    epoch's weights unusable for another set of weights.
    """
    _require_hash("weights root", weights_root)
    if not reveals:
        raise NoReveals("a seed needs at least one beacon reveal")
    for reveal in reveals:
        _require_hash("reveal", reveal)
    return keccak256(weights_root + b"".join(reveals))


def order_reveals(reveals_by_member: Mapping[bytes, bytes]) -> list[bytes]:
    """The members' reveals in ascending order of member address, as `derive_seed` takes them."""
    for member in reveals_by_member:
        if len(member) != ADDRESS_BYTES:
            raise InvalidAddress(f"member address must be 20 bytes, got {len(member)}")
    return [reveals_by_member[member] for member in sorted(reveals_by_member)]


def _require_hash(label: str, value: bytes) -> None:
    if len(value) != HASH_BYTES:
        raise InvalidHash(f"{label} must be 32 bytes, got {len(value)}")
