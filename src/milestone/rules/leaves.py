"""The leaf layouts of an epoch's trees, and the trees themselves in their plainest form.

Three trees per epoch, each OpenZeppelin's standard tree (`milestone.rules.merkle`): weights
over `(round, account, weight)`, rewards over `(account, pebbles mined in the epoch)` and the
state over `(account, balance after the epoch)`. A faster root-only computation lives beside
settlement (`milestone.epochs.compute`) and is tested equal to these.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Final

from milestone.rules.merkle import StandardMerkleTree

WEIGHTS_LEAF: Final[tuple[str, ...]] = ("uint256", "address", "uint256")
"""A weights leaf: `(round, account, weight)`."""
REWARD_LEAF: Final[tuple[str, ...]] = ("address", "uint256")
"""A rewards leaf: `(account, pebbles mined in the epoch)`."""
BALANCE_LEAF: Final[tuple[str, ...]] = ("address", "uint256")
"""A state leaf: `(account, balance in pebbles after the epoch)`."""
EMPTY_ROOT: Final[bytes] = bytes(32)
"""The root recorded for a tree with no leaves (OpenZeppelin's trees cannot be empty)."""


def weight_rows(weights: Mapping[int, Mapping[bytes, int]]) -> list[tuple[int, bytes, int]]:
    """The positive weights as `(round, account, weight)`, by round then account address."""
    return [
        (round_index, account, weight)
        for round_index in sorted(weights)
        for account, weight in sorted(weights[round_index].items())
        if weight > 0
    ]


def build_weights_tree(weights: Mapping[int, Mapping[bytes, int]]) -> StandardMerkleTree | None:
    """The weights tree, None when nobody drove."""
    rows = weight_rows(weights)
    return StandardMerkleTree.of(rows, WEIGHTS_LEAF) if rows else None


def build_account_tree(
    amounts: Mapping[bytes, int], types: Sequence[str]
) -> StandardMerkleTree | None:
    """A tree over `(account, amount)` pairs in address order; None when there are none."""
    rows = sorted(amounts.items())
    return StandardMerkleTree.of(rows, types) if rows else None


def root_of(tree: StandardMerkleTree | None) -> bytes:
    """A tree's root, `EMPTY_ROOT` for no tree."""
    return EMPTY_ROOT if tree is None else tree.root
