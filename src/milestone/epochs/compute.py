"""The fast paths of an epoch's computation, and the choice of the mining rule by file version.

The rules themselves live in `milestone.rules` (`mining`, `epoch_state`, `leaves`): the settler
and `milestone audit` call the very same functions, so if the two ever disagreed that would be a
bug in one code path; there is only one. What stays here is not rule: the root-only Merkle
computations, equal to `milestone.rules.leaves`'s trees but three times faster for a million
leaves (tests/epochs/test_compute.py checks them equal), the garbage collector paused around
large computations, and which mining rule an epoch file's version was made with.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from typing import Final

from milestone.epochs.errors import SettlementError
from milestone.rules.hashing import keccak256_many
from milestone.rules.leaves import EMPTY_ROOT
from milestone.rules.merkle import build_tree
from milestone.rules.mining import (
    EpochBudget,
    RoundWeights,
    calculate_legacy_mining_budget,
    calculate_mining_budget,
)
from milestone.rules.params import Parameters

ADDRESS_BYTES: Final[int] = 20
_ADDRESS_PAD: Final[bytes] = bytes(12)
"""An address is ABI-encoded right-aligned in a 32-byte word."""

LEGACY_RULE_VERSION: Final[int] = 1
"""Epoch files of this version were made under the fixed share per round."""
WEIGHTED_RULE_VERSION: Final[int] = 2
"""Epoch files from this version on split the budget over rounds by their weight."""


class UnknownRuleVersion(SettlementError):
    """An epoch file version no mining rule is known for."""

    code = "unknown_rule_version"


def calculate_budget(
    params: Parameters, epoch: int, rollover_in: int, weights: RoundWeights, *, version: int
) -> EpochBudget:
    """
    The epoch's budget under the mining rule its epoch file's `version` was made with.

    Version 1 files keep their fixed share per round (`calculate_legacy_mining_budget`); from
    version 2 on, round budgets follow round weights (`calculate_mining_budget`). Settlement
    passes the version it writes, the audit the version of the file it reads.
    """
    if version == LEGACY_RULE_VERSION:
        return calculate_legacy_mining_budget(params, epoch, rollover_in)
    if version >= WEIGHTED_RULE_VERSION:
        return calculate_mining_budget(params, epoch, rollover_in, weights)
    raise UnknownRuleVersion(f"no mining rule is known for epoch file version {version}")


def calculate_weights_root(weights: RoundWeights) -> tuple[bytes, int]:
    """The weights root posted on-chain and the epoch's total weight."""
    total = sum(weight for in_round in weights.values() for weight in in_round.values())
    encoded: list[bytes] = []
    for round_index, in_round in weights.items():
        _check_accounts(in_round)
        prefix = _word(round_index) + _ADDRESS_PAD
        encoded += [prefix + a + _word(w) for a, w in in_round.items() if w > 0]
    return calculate_root_of_encoded(encoded), total


def calculate_root_of_encoded(encoded: list[bytes]) -> bytes:
    """
    The root of OpenZeppelin's standard tree over leaves already ABI-encoded, in any order.

    `StandardMerkleTree.of(values, types).root`, without what only proofs need: the tree sorts
    its leaf hashes, so the order of the values does not matter, and sorting the hashes
    themselves (rather than the values by their hash) with no value-to-node index saves a
    third of the time for a million leaves. `EMPTY_ROOT` when there are no leaves.
    """
    if not encoded:
        return EMPTY_ROOT
    leaves = keccak256_many(keccak256_many(encoded))
    leaves.sort()
    return build_tree(leaves)[0]


def _word(value: int) -> bytes:
    """A uint256 as its 32-byte word; a negative or oversized amount is refused."""
    try:
        return value.to_bytes(32)
    except OverflowError:
        raise SettlementError(f"{value} is not a uint256") from None


def _check_accounts(amounts: Mapping[bytes, int]) -> None:
    if not all(len(account) == ADDRESS_BYTES for account in amounts):
        raise SettlementError("an account address is not 20 bytes")


def calculate_account_root(amounts: Mapping[bytes, int], types: Sequence[str]) -> bytes:
    """The root of `build_account_tree` over `(address, uint256)` leaves, `EMPTY_ROOT` if none."""
    if tuple(types) != ("address", "uint256"):
        raise ValueError(f"account trees are (address, uint256), not {types}")
    _check_accounts(amounts)
    return calculate_root_of_encoded([_ADDRESS_PAD + a + _word(v) for a, v in amounts.items()])


@contextmanager
def paused_collection() -> Iterator[None]:
    """Pause Python's cyclic garbage collector for a large computation.

    Building a million-leaf tree allocates millions of objects, each batch of which would make
    the collector re-scan every live container; none of them forms a cycle, so reference
    counting frees them all the same. Twice as fast for a million owners.
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()
