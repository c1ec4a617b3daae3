"""The streamed tree equals the rule's tree: its root, every node, every leaf's place."""

from __future__ import annotations

import random

from hypothesis import given, settings
from hypothesis import strategies as st

from milestone.epochs.streamtree import EMPTY_ROOT, build_streamed_tree
from milestone.rules.merkle import StandardMerkleTree

TYPES = ("address", "uint256")


def encode(address: bytes, amount: int) -> bytes:
    return bytes(12) + address + amount.to_bytes(32)


def leaves(count: int, seed: int) -> list[tuple[bytes, int]]:
    rng = random.Random(seed)
    return [(rng.randbytes(20), rng.randrange(1, 10**12)) for _ in range(count)]


def streamed(values: list[tuple[bytes, int]], run_leaves: int) -> tuple[bytes, dict, dict]:
    nodes: dict[int, bytes] = {}
    places: dict[bytes, int] = {}

    def keep(index: int, node: bytes, encoding: bytes | None) -> None:
        nodes[index] = node
        if encoding is not None:
            places[encoding] = index

    root, count = build_streamed_tree(
        (encode(a, v) for a, v in values), on_node=keep, run_leaves=run_leaves
    )
    assert count == len(values)
    return root, nodes, places


@settings(max_examples=40, deadline=None)
@given(count=st.integers(1, 300), seed=st.integers(0, 2**32), run_leaves=st.integers(1, 64))
def test_streamed_tree_is_the_standard_tree(count: int, seed: int, run_leaves: int) -> None:
    values = leaves(count, seed)
    tree = StandardMerkleTree.of(values, TYPES)
    for bound in (run_leaves, 10**6):  # spilled to disk, and all in memory
        root, nodes, places = streamed(values, bound)
        assert root == tree.root
        assert [nodes[i] for i in range(len(tree.tree))] == list(tree.tree)
        for value, index in zip(tree.values, tree.tree_indices, strict=True):
            assert places[encode(*value)] == index
        assert len(places) == count


def test_a_single_leaf_is_its_own_root() -> None:
    (value,) = leaves(1, 7)
    root, nodes, _ = streamed([value], 1)
    assert root == StandardMerkleTree.of([value], TYPES).root == nodes[0]


def test_no_leaves_give_the_empty_root() -> None:
    assert build_streamed_tree([]) == (EMPTY_ROOT, 0)


def test_a_changed_leaf_changes_the_root() -> None:
    values = leaves(100, 3)
    changed = [*values[:-1], (values[-1][0], values[-1][1] + 1)]
    assert (
        build_streamed_tree(encode(*v) for v in values)[0]
        != build_streamed_tree(encode(*v) for v in changed)[0]
    )


def test_the_root_does_not_depend_on_the_order_of_the_leaves() -> None:
    values = leaves(200, 5)
    shuffled = random.Random(1).sample(values, len(values))
    first = build_streamed_tree((encode(*v) for v in values), run_leaves=7)[0]
    assert first == build_streamed_tree((encode(*v) for v in shuffled), run_leaves=13)[0]
