"""OpenZeppelin's standard Merkle tree: build, prove, verify, dump and load.

Root-identical to `StandardMerkleTree.of(values, types)` of `@openzeppelin/merkle-tree` (with
its default `sortLeaves: true`), so OpenZeppelin's `MerkleProof.verify` accepts our proofs
on-chain and its JavaScript library loads our dumps (`standard-v1`) in a browser.

The layout, from the library: a leaf is `keccak256(keccak256(abi.encode(value)))` (hashing
twice keeps a 64-byte leaf from passing for an inner node); leaves are sorted by hash and stored
in reverse at the end of one array of `2n - 1` nodes, the root at index 0 and node i's children
at `2i + 1` and `2i + 2`; an inner node is the keccak of its two children in ascending byte
order, so a proof is just the list of siblings, without left/right flags.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, Final

from milestone.rules.abi import encode_many, make_encoder, value_to_json
from milestone.rules.errors import EmptyTree, InvalidTreeDump, LeafNotInTree
from milestone.rules.hashing import keccak256, keccak256_many

HASH_BYTES: Final[int] = 32
DUMP_FORMAT: Final[str] = "standard-v1"


def hash_pair(a: bytes, b: bytes) -> bytes:
    """An inner node: keccak256 of its children, the smaller first (OpenZeppelin's `_hashPair`)."""
    return keccak256(a + b if a < b else b + a)


def process_proof(leaf_hash: bytes, proof: Sequence[bytes]) -> bytes:
    """The root a leaf hash and its proof lead to (OpenZeppelin's `MerkleProof.processProof`)."""
    node = leaf_hash
    for sibling in proof:
        node = hash_pair(node, sibling)
    return node


def verify_proof(root: bytes, leaf_hash: bytes, proof: Sequence[bytes]) -> bool:
    """
    Whether `proof` shows `leaf_hash` is a leaf of the tree with `root`.

    A malformed proof (a node that is not 32 bytes) proves nothing and returns False rather than
    raising, as anything built from untrusted input would otherwise have to guard the call.
    """
    if len(root) != HASH_BYTES or len(leaf_hash) != HASH_BYTES:
        return False
    if any(len(node) != HASH_BYTES for node in proof):
        return False
    return process_proof(leaf_hash, proof) == root


def calculate_leaf_hash(types: Sequence[str], value: Sequence[object]) -> bytes:
    """A leaf: `keccak256(keccak256(abi.encode(value)))`."""
    return keccak256(keccak256(make_encoder(types)(value)))


def build_tree(leaves: Sequence[bytes]) -> list[bytes]:
    """
    The node array over leaf hashes already in leaf order (OpenZeppelin's `makeMerkleTree`).

    Inner nodes are filled from the last to the first, a slice at a time: any slice
    `[lo, hi]` with `lo >= (hi + 1) // 2` has all its children beyond `hi`, already built,
    so each slice is one list comprehension over ready pairs.
    """
    if not leaves:
        raise EmptyTree("a Merkle tree needs at least one leaf")
    count = len(leaves)
    tree: list[bytes] = [b""] * (count - 1) + list(reversed(leaves))
    hi = count - 2
    while hi >= 0:
        lo = (hi + 1) // 2
        left = tree[2 * lo + 1 : 2 * hi + 2 : 2]
        right = tree[2 * lo + 2 : 2 * hi + 3 : 2]
        pairs = [a + b if a < b else b + a for a, b in zip(left, right, strict=True)]
        tree[lo : hi + 1] = keccak256_many(pairs)
        hi = lo - 1
    return tree


class StandardMerkleTree:
    """A tree over ABI-encoded values and each value's node, as OpenZeppelin's library keeps it."""

    def __init__(
        self,
        tree: list[bytes],
        values: Sequence[Sequence[Any]],
        types: Sequence[str],
        tree_indices: Sequence[int] | None = None,
        leaf_order: Sequence[int] | None = None,
    ) -> None:
        """Give either each value's node (`tree_indices`) or the value at each leaf position."""
        self.tree = tree
        self.values = values
        self.leaf_encoding = tuple(types)
        self._encode = make_encoder(self.leaf_encoding)
        self._tree_indices = tree_indices
        self._leaf_order = leaf_order
        self._index_by_leaf: dict[bytes, int] | None = None

    @classmethod
    def of(
        cls, values: Sequence[Sequence[Any]], types: Sequence[str], sort_leaves: bool = True
    ) -> StandardMerkleTree:
        """Build the tree of `values`, each a tuple of `types`."""
        if not values:
            raise EmptyTree("a Merkle tree needs at least one leaf")
        hashes = keccak256_many(keccak256_many(encode_many(types, values)))
        order: Sequence[int] = range(len(values))
        if sort_leaves:
            # A stable sort, as JavaScript's: equal leaves keep the order of their values.
            order = sorted(order, key=hashes.__getitem__)
        tree = build_tree(list(map(hashes.__getitem__, order)))
        return cls(tree, values, types, leaf_order=order)

    @property
    def tree_indices(self) -> Sequence[int]:
        """The node of each value; worked out on first use, as building a root needs none."""
        if self._tree_indices is None:
            assert self._leaf_order is not None
            last = len(self.tree) - 1
            indices = [0] * len(self.values)
            for position, value_index in enumerate(self._leaf_order):
                indices[value_index] = last - position
            self._tree_indices = indices
        return self._tree_indices

    @property
    def root(self) -> bytes:
        """The root the contract stores."""
        return self.tree[0]

    def __len__(self) -> int:
        return len(self.values)

    def leaf_hash(self, value: Sequence[Any]) -> bytes:
        """The leaf hash of `value` under this tree's types."""
        return keccak256(keccak256(self._encode(value)))

    def get_proof(self, index_or_value: int | Sequence[Any]) -> list[bytes]:
        """The siblings from the leaf of a value (by index, or the value itself) up to the root."""
        node = self.tree_indices[self._value_index(index_or_value)]
        proof: list[bytes] = []
        while node > 0:
            proof.append(self.tree[node + 1 if node % 2 else node - 1])
            node = (node - 1) // 2
        return proof

    def verify(self, index_or_value: int | Sequence[Any], proof: Sequence[bytes]) -> bool:
        """Whether `proof` proves the value (by index, or the value itself) against this root."""
        if isinstance(index_or_value, int):
            value = self.values[self._value_index(index_or_value)]
        else:
            value = index_or_value
        return verify_proof(self.root, self.leaf_hash(value), proof)

    def dump(self) -> dict[str, Any]:
        """The tree in OpenZeppelin's `standard-v1` format, JSON-ready (hex and decimal text)."""
        return {
            "format": DUMP_FORMAT,
            "leafEncoding": list(self.leaf_encoding),
            "tree": ["0x" + node.hex() for node in self.tree],
            "values": [
                {
                    "value": [
                        value_to_json(abi_type, item)
                        for abi_type, item in zip(self.leaf_encoding, value, strict=True)
                    ],
                    "treeIndex": tree_index,
                }
                for value, tree_index in zip(self.values, self.tree_indices, strict=True)
            ],
        }

    @classmethod
    def load(cls, data: Mapping[str, Any]) -> StandardMerkleTree:
        """A tree from a `standard-v1` dump, every node and value checked against the hashes."""
        if data.get("format") != DUMP_FORMAT:
            raise InvalidTreeDump(f"unknown tree format {data.get('format')!r}")
        types, nodes, entries = data.get("leafEncoding"), data.get("tree"), data.get("values")
        if not isinstance(types, list) or not isinstance(nodes, list) or not nodes:
            raise InvalidTreeDump("a dump needs leafEncoding, tree and values lists")
        if not isinstance(entries, list):
            raise InvalidTreeDump("a dump needs leafEncoding, tree and values lists")
        if not all(isinstance(abi_type, str) for abi_type in types):
            raise InvalidTreeDump("leafEncoding must list ABI type names")
        tree = [_node_from_hex(node) for node in nodes]
        for index in range(len(tree)):
            left, right = 2 * index + 1, 2 * index + 2
            if right >= len(tree):
                if left < len(tree):
                    raise InvalidTreeDump(f"node {index} has a single child")
                continue
            if tree[index] != hash_pair(tree[left], tree[right]):
                raise InvalidTreeDump(f"node {index} is not the hash of its children")
        values: list[Sequence[Any]] = []
        tree_indices: list[int] = []
        for entry in entries:
            if not isinstance(entry, Mapping) or type(entry.get("treeIndex")) is not int:
                raise InvalidTreeDump("each value needs a value list and an integer treeIndex")
            if not isinstance(entry.get("value"), list) or len(entry["value"]) != len(types):
                raise InvalidTreeDump(f"value {entry.get('value')!r} does not match {types}")
            values.append(entry["value"])
            tree_indices.append(entry["treeIndex"])
        loaded = cls(tree, values, types, tree_indices=tree_indices)
        for value, tree_index in zip(values, tree_indices, strict=True):
            if not len(tree) // 2 <= tree_index < len(tree):
                raise InvalidTreeDump(f"treeIndex {tree_index} is not a leaf")
            if loaded.leaf_hash(value) != tree[tree_index]:
                raise InvalidTreeDump(f"value {value!r} does not hash to node {tree_index}")
        return loaded

    def _value_index(self, index_or_value: int | Sequence[Any]) -> int:
        if isinstance(index_or_value, int):
            if not 0 <= index_or_value < len(self.values):
                raise LeafNotInTree(f"index {index_or_value} is out of range")
            return index_or_value
        if self._index_by_leaf is None:
            # Built on first use; a later duplicate wins, as in the OpenZeppelin library.
            self._index_by_leaf = {
                self.tree[tree_index]: value_index
                for value_index, tree_index in enumerate(self.tree_indices)
            }
        found = self._index_by_leaf.get(self.leaf_hash(index_or_value))
        if found is None:
            raise LeafNotInTree(f"value {index_or_value!r} is not a leaf of this tree")
        return found


def _node_from_hex(node: object) -> bytes:
    if not isinstance(node, str) or not node.startswith("0x") or len(node) != 2 + 2 * HASH_BYTES:
        raise InvalidTreeDump(f"tree node {node!r} is not 0x and 64 hex digits")
    try:
        return bytes.fromhex(node[2:])
    except ValueError:
        raise InvalidTreeDump(f"tree node {node!r} is not hex") from None
