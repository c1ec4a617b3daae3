"""The OpenZeppelin standard Merkle tree: proofs, tampering, dumps, and OZ's library itself."""

from __future__ import annotations

import json
import random
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from milestone.rules import errors
from milestone.rules.abi import value_to_json
from milestone.rules.hashing import keccak256
from milestone.rules.merkle import (
    StandardMerkleTree,
    build_tree,
    calculate_leaf_hash,
    hash_pair,
    process_proof,
    verify_proof,
)

TOOLS = Path(__file__).resolve().parents[2] / "tools"
OZ_SCRIPT = TOOLS / "oz-merkle.mjs"
OZ_LIBRARY = TOOLS / "node_modules" / "@openzeppelin" / "merkle-tree"
TYPES = ["address", "uint256"]

# The example of @openzeppelin/merkle-tree's README, and the root it documents.
README_VALUES = [
    ["0x1111111111111111111111111111111111111111", "5000000000000000000"],
    ["0x2222222222222222222222222222222222222222", "2500000000000000000"],
]
README_ROOT = "d4dee0beab2d53f2cc83e567171bd2820e49898130a22622b10ead383e90bd77"

leaves = st.lists(
    st.tuples(st.binary(min_size=20, max_size=20), st.integers(0, 2**256 - 1)),
    min_size=1,
    max_size=60,
)


def test_the_readme_example_gives_the_documented_root() -> None:
    tree = StandardMerkleTree.of(README_VALUES, TYPES)
    assert tree.root.hex() == README_ROOT
    assert tree.get_proof(0) == [tree.tree[2]]


def test_a_leaf_is_hashed_twice() -> None:
    value = (b"\x11" * 20, 5)
    encoded = bytes(12) + b"\x11" * 20 + (5).to_bytes(32)
    assert calculate_leaf_hash(TYPES, value) == keccak256(keccak256(encoded))


def test_a_single_leaf_is_its_own_root() -> None:
    tree = StandardMerkleTree.of([(b"\x01" * 20, 1)], TYPES)
    assert tree.root == tree.leaf_hash((b"\x01" * 20, 1))
    assert tree.get_proof(0) == []
    assert tree.verify(0, [])


def test_build_tree_matches_the_recursive_definition() -> None:
    hashes = [keccak256(bytes([n])) for n in range(11)]
    tree = build_tree(hashes)
    assert len(tree) == 21
    for index in range(10):
        assert tree[index] == hash_pair(tree[2 * index + 1], tree[2 * index + 2])
    assert tree[10:] == list(reversed(hashes))


def test_pairs_are_hashed_in_ascending_order() -> None:
    low, high = b"\x00" * 32, b"\xff" * 32
    assert hash_pair(low, high) == hash_pair(high, low) == keccak256(low + high)


def test_proofs_are_found_by_index_or_by_value() -> None:
    values = [(bytes([n]) * 20, n) for n in range(1, 8)]
    tree = StandardMerkleTree.of(values, TYPES)
    assert tree.get_proof(3) == tree.get_proof(values[3])
    assert tree.get_proof(3) == tree.get_proof(("0x" + "04" * 20, "4"))


def test_unknown_leaves_are_refused() -> None:
    tree = StandardMerkleTree.of([(b"\x01" * 20, 1), (b"\x02" * 20, 2)], TYPES)
    with pytest.raises(errors.LeafNotInTree) as raised:
        tree.get_proof((b"\x03" * 20, 3))
    assert raised.value.code == "leaf_not_in_tree"
    with pytest.raises(errors.LeafNotInTree):
        tree.get_proof(2)
    with pytest.raises(errors.LeafNotInTree):
        tree.get_proof(-1)


def test_an_empty_tree_is_refused() -> None:
    with pytest.raises(errors.EmptyTree):
        StandardMerkleTree.of([], TYPES)


@settings(deadline=None)  # wall-clock limits flake on a shared 2-core machine
@given(leaves)
def test_every_proof_verifies(values: list[tuple[bytes, int]]) -> None:
    tree = StandardMerkleTree.of(values, TYPES)
    for index, value in enumerate(values):
        proof = tree.get_proof(index)
        assert verify_proof(tree.root, tree.leaf_hash(value), proof)
        assert tree.verify(value, proof)


@settings(deadline=None)  # wall-clock limits flake on a shared 2-core machine
@given(leaves.filter(lambda values: len(set(values)) >= 2), st.data())
def test_a_tampered_proof_fails(values: list[tuple[bytes, int]], data: st.DataObject) -> None:
    tree = StandardMerkleTree.of(values, TYPES)
    index = data.draw(st.integers(0, len(values) - 1))
    proof = tree.get_proof(index)
    leaf = tree.leaf_hash(values[index])
    position = data.draw(st.integers(0, len(proof) - 1))
    bit = data.draw(st.integers(0, 255))
    flipped = bytearray(proof[position])
    flipped[bit // 8] ^= 1 << (bit % 8)
    tampered = [*proof[:position], bytes(flipped), *proof[position + 1 :]]
    assert not verify_proof(tree.root, leaf, tampered)
    assert not verify_proof(tree.root, leaf, proof[:-1])
    other = next(value for value in values if value != values[index])
    if tree.leaf_hash(other) not in proof:
        assert not verify_proof(tree.root, tree.leaf_hash(other), proof)
    amount = values[index][1]
    forged = (values[index][0], amount + 1 if amount < 2**256 - 1 else amount - 1)
    assert not tree.verify(forged, proof)


def test_malformed_proofs_prove_nothing() -> None:
    tree = StandardMerkleTree.of([(b"\x01" * 20, 1), (b"\x02" * 20, 2)], TYPES)
    leaf = tree.leaf_hash((b"\x01" * 20, 1))
    assert not verify_proof(tree.root, leaf, [b"\x00" * 31])
    assert not verify_proof(tree.root[:31], leaf, tree.get_proof(0))
    assert process_proof(leaf, tree.get_proof(0)) == tree.root


@settings(deadline=None)  # wall-clock limits flake on a shared 2-core machine
@given(leaves, st.randoms(use_true_random=False))
def test_the_root_does_not_depend_on_value_order(
    values: list[tuple[bytes, int]], shuffler: random.Random
) -> None:
    shuffled = list(values)
    shuffler.shuffle(shuffled)
    assert StandardMerkleTree.of(values, TYPES).root == StandardMerkleTree.of(shuffled, TYPES).root


@settings(deadline=None)  # wall-clock limits flake on a shared 2-core machine
@given(leaves)
def test_dump_and_load_round_trip(values: list[tuple[bytes, int]]) -> None:
    tree = StandardMerkleTree.of(values, TYPES)
    dump = json.loads(json.dumps(tree.dump()))
    loaded = StandardMerkleTree.load(dump)
    assert loaded.root == tree.root
    assert loaded.dump() == dump
    for index in range(len(values)):
        assert loaded.get_proof(index) == tree.get_proof(index)


def test_unsorted_leaves_keep_their_order() -> None:
    values = [(bytes([n]) * 20, n) for n in range(1, 6)]
    tree = StandardMerkleTree.of(values, TYPES, sort_leaves=False)
    assert tree.tree[-1] == tree.leaf_hash(values[0])
    assert all(tree.verify(index, tree.get_proof(index)) for index in range(5))


def tampered_dumps() -> list[tuple[str, dict[str, Any]]]:
    good = StandardMerkleTree.of([(bytes([n]) * 20, n) for n in range(1, 6)], TYPES).dump()
    cases: list[tuple[str, dict[str, Any]]] = []
    for label, change in [
        ("format", lambda d: d.update(format="standard-v2")),
        ("node", lambda d: d["tree"].__setitem__(1, "0x" + "00" * 32)),
        ("node text", lambda d: d["tree"].__setitem__(0, "0x1234")),
        ("node hex", lambda d: d["tree"].__setitem__(0, "0x" + "zz" * 32)),
        ("value", lambda d: d["values"][0]["value"].__setitem__(1, "99")),
        ("tree index", lambda d: d["values"][0].__setitem__("treeIndex", 0)),
        ("tree index type", lambda d: d["values"][0].__setitem__("treeIndex", "5")),
        ("value arity", lambda d: d["values"][0]["value"].pop()),
        ("shape", lambda d: d["tree"].append("0x" + "00" * 32)),
        ("encoding", lambda d: d.update(leafEncoding=[5, 6])),
        ("missing tree", lambda d: d.pop("tree")),
    ]:
        dump = json.loads(json.dumps(good))
        change(dump)
        cases.append((label, dump))
    return cases


@pytest.mark.parametrize(("label", "dump"), tampered_dumps())
def test_a_tampered_dump_is_refused(label: str, dump: dict[str, Any]) -> None:
    with pytest.raises(errors.InvalidTreeDump):
        StandardMerkleTree.load(dump)


# The cross-check against @openzeppelin/merkle-tree itself.

SHAPES: list[list[str]] = [
    ["address", "uint256"],
    ["uint256"],
    ["bytes32", "address", "bool", "int64"],
    ["address", "bytes4", "uint8", "int256"],
]


def random_value(rng: random.Random, abi_type: str) -> Any:
    if abi_type == "address":
        return rng.randbytes(20)
    if abi_type == "bool":
        return rng.random() < 0.5
    if abi_type.startswith("bytes"):
        return rng.randbytes(int(abi_type[5:]))
    if abi_type.startswith("uint"):
        return rng.getrandbits(int(abi_type[4:]))
    bits = int(abi_type[3:])
    return rng.getrandbits(bits) - 2 ** (bits - 1)


def run_oz(payload: dict[str, Any]) -> dict[str, Any]:
    node = shutil.which("node")
    if node is None:
        pytest.skip("node is not installed: the OpenZeppelin cross-check needs Node.js")
    if not OZ_LIBRARY.is_dir():
        pytest.skip("@openzeppelin/merkle-tree is not installed: run `make tools`")
    result = subprocess.run(
        [node, str(OZ_SCRIPT)],
        input=json.dumps(payload),
        capture_output=True,
        text=True,
        cwd=TOOLS,
        timeout=120,
        check=True,
    )
    answer: dict[str, Any] = json.loads(result.stdout)
    return answer


@pytest.mark.parametrize("shape", SHAPES, ids=["-".join(shape) for shape in SHAPES])
def test_matches_openzeppelin_merkle_tree(shape: list[str]) -> None:
    rng = random.Random("-".join(shape))
    count = rng.randint(90, 160)
    values = [[random_value(rng, abi_type) for abi_type in shape] for _ in range(count)]
    values.append(list(values[0]))  # a duplicate leaf, which the library keeps
    texts = [[value_to_json(t, v) for t, v in zip(shape, value, strict=True)] for value in values]
    tree = StandardMerkleTree.of(values, shape)

    reference = run_oz({"types": shape, "values": texts})
    assert reference["root"] == "0x" + tree.root.hex()
    assert reference["proofs"] == [
        ["0x" + node.hex() for node in tree.get_proof(index)] for index in range(len(values))
    ]
    assert reference["dump"] == tree.dump()
    assert StandardMerkleTree.load(reference["dump"]).root == tree.root

    # And the library accepts our dump as its own.
    reloaded = run_oz({"dump": tree.dump()})
    assert reloaded["root"] == "0x" + tree.root.hex()


def test_matches_openzeppelin_for_tiny_trees() -> None:
    for count in (1, 2, 3):
        values = [[bytes([n]) * 20, n] for n in range(1, count + 1)]
        texts = [
            [value_to_json(t, v) for t, v in zip(TYPES, value, strict=True)] for value in values
        ]
        reference = run_oz({"types": TYPES, "values": texts})
        assert reference["dump"] == StandardMerkleTree.of(values, TYPES).dump()
