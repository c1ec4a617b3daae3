"""Stored trees: a proof read from the database is the rule's proof, and verifies."""

from __future__ import annotations

import random

from milestone.epochs.models import EpochTreeNodeRecord
from milestone.epochs.treestore import (
    REWARDS_TREE,
    STATE_TREE,
    has_stored_trees,
    read_stored_proof,
    sibling_path,
    store_account_tree,
)
from milestone.rules.leaves import BALANCE_LEAF
from milestone.rules.merkle import StandardMerkleTree, calculate_leaf_hash, verify_proof
from milestone.storage import Database


def accounts(count: int, seed: int) -> dict[bytes, int]:
    rng = random.Random(seed)
    return {rng.randbytes(20): rng.randrange(10**12) for _ in range(count)}


def test_stored_proofs_are_the_rules_proofs(database: Database) -> None:
    balances = accounts(37, 1)
    tree = StandardMerkleTree.of(sorted(balances.items()), BALANCE_LEAF)
    root = database.run(lambda s: store_account_tree(s, 3, STATE_TREE, balances.items()))
    assert root == tree.root
    with database.session() as session:
        assert has_stored_trees(session, 3)
        assert not has_stored_trees(session, 4)
        for address, balance in balances.items():
            stored = read_stored_proof(session, 3, STATE_TREE, address)
            assert stored is not None and stored.amount == balance
            assert stored.proof == tree.get_proof((address, balance))
            leaf = calculate_leaf_hash(BALANCE_LEAF, (address, balance))
            assert verify_proof(root, leaf, stored.proof)


def test_an_account_outside_the_tree_has_no_proof(database: Database) -> None:
    balances = accounts(5, 2)
    database.run(lambda s: store_account_tree(s, 0, REWARDS_TREE, balances.items()))
    with database.session() as session:
        assert read_stored_proof(session, 0, REWARDS_TREE, bytes(20)) is None
        assert read_stored_proof(session, 0, STATE_TREE, next(iter(balances))) is None


def test_storing_again_replaces_the_tree(database: Database) -> None:
    database.run(lambda s: store_account_tree(s, 1, STATE_TREE, accounts(9, 3).items()))
    again = accounts(4, 4)
    root = database.run(lambda s: store_account_tree(s, 1, STATE_TREE, again.items()))
    with database.session() as session:
        assert session.query(EpochTreeNodeRecord).count() == 2 * len(again) - 1
    assert root == StandardMerkleTree.of(sorted(again.items()), BALANCE_LEAF).root


def test_the_sibling_path_climbs_to_the_root() -> None:
    assert sibling_path(0) == []
    assert sibling_path(4) == [3, 2]  # 4's sibling is 3, its parent 1's sibling is 2
    assert sibling_path(5) == [6, 1]
