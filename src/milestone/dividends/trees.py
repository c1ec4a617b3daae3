"""The last few entitlement trees, kept in memory by root.

A root fixes every leaf, so a tree found here is the tree of any dividend with that root; a
declaration leaves its tree here, and the first proof after a restart rebuilds it once.
"""

from __future__ import annotations

from collections import OrderedDict

from milestone.rules.merkle import StandardMerkleTree

CACHED_TREES = 4
_TREES: OrderedDict[bytes, StandardMerkleTree] = OrderedDict()


def recall_tree(root: bytes) -> StandardMerkleTree | None:
    tree = _TREES.get(root)
    if tree is not None:
        _TREES.move_to_end(root)
    return tree


def remember_tree(tree: StandardMerkleTree) -> None:
    _TREES[tree.root] = tree
    _TREES.move_to_end(tree.root)
    while len(_TREES) > CACHED_TREES:
        _TREES.popitem(last=False)


def forget_trees() -> None:
    _TREES.clear()
