"""Proofs: an owner's balance and reward in a finalized epoch, with Merkle proofs to its roots.

Settlement stores every node of each epoch's state and rewards trees as it builds them
(`milestone.epochs.treestore`), so a proof is a few indexed rows read in the caller's session:
no tree is rebuilt, no lock is taken, and the first proof of an epoch costs what every other
does. Epochs settled before trees were stored have none: their trees are rebuilt once per
worker from the published epoch file (the same file anyone can download), checked against the
hash recorded when the epoch was finalized. `verify_owner_proof` checks a proof against the
roots on-chain, which is what a wallet or the explorer does without trusting the operator.
"""

from __future__ import annotations

import threading
from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from sqlalchemy.orm import Session

from milestone.chain.program import ProgramView
from milestone.epochs import epochfile
from milestone.epochs.errors import EpochFileMismatch, EpochNotFinalized, OwnerNotInEpoch
from milestone.epochs.models import FINALIZED, EpochRecord
from milestone.epochs.treestore import (
    REWARDS_TREE,
    STATE_TREE,
    has_stored_trees,
    read_stored_proof,
)
from milestone.registry.owners import get_owner
from milestone.rules.leaves import BALANCE_LEAF, REWARD_LEAF, build_account_tree
from milestone.rules.merkle import StandardMerkleTree, calculate_leaf_hash, verify_proof

TREES_CACHED = 4
_TREES_LOCK = threading.Lock()
"""Only for epochs settled before trees were stored, rebuilt from their files."""


@dataclass(frozen=True)
class OwnerProof:
    """An owner's balance after an epoch and reward in it, each with its proof."""

    epoch: int
    address: bytes
    balance: int
    balance_proof: list[bytes]
    state_root: bytes
    reward: int
    reward_proof: list[bytes] | None
    """None when the owner won nothing in the epoch."""
    rewards_root: bytes

    def to_dict(self) -> dict[str, Any]:
        return {
            "epoch": self.epoch,
            "address": "0x" + self.address.hex(),
            "balance": str(self.balance),
            "balance_proof": ["0x" + node.hex() for node in self.balance_proof],
            "state_root": "0x" + self.state_root.hex(),
            "reward": str(self.reward),
            "reward_proof": None
            if self.reward_proof is None
            else ["0x" + node.hex() for node in self.reward_proof],
            "rewards_root": "0x" + self.rewards_root.hex(),
        }


@dataclass(frozen=True)
class _EpochTrees:
    balances: Mapping[bytes, int]
    rewards: dict[bytes, int]
    state: StandardMerkleTree | None
    rewarded: StandardMerkleTree | None


def prove_owner(session: Session, epochs_dir: Path, owner_id: int, epoch: int) -> OwnerProof:
    """The owner's balance and reward in finalized `epoch`, with proofs. Read-only."""
    row = session.get(EpochRecord, epoch)
    if row is None or row.status != FINALIZED or row.file_hash is None:
        raise EpochNotFinalized(f"epoch {epoch} is not finalized", epoch=epoch)
    address = bytes(get_owner(session, owner_id).address or b"")
    if not has_stored_trees(session, epoch):
        return _prove_from_file(row, Path(epochs_dir), owner_id, address)
    balance = read_stored_proof(session, epoch, STATE_TREE, address)
    if balance is None:
        raise OwnerNotInEpoch(f"owner {owner_id} has no balance in epoch {epoch}", epoch=epoch)
    reward = read_stored_proof(session, epoch, REWARDS_TREE, address)
    return OwnerProof(
        epoch=epoch,
        address=address,
        balance=balance.amount,
        balance_proof=balance.proof,
        state_root=bytes(row.state_root or b""),
        reward=0 if reward is None else reward.amount,
        reward_proof=None if reward is None else reward.proof,
        rewards_root=bytes(row.rewards_root or b""),
    )


def _prove_from_file(
    row: EpochRecord, epochs_dir: Path, owner_id: int, address: bytes
) -> OwnerProof:
    """The proof of an epoch settled before trees were stored, from its epoch file."""
    epoch = row.epoch
    path = epochs_dir / epochfile.file_name(epoch)
    with _TREES_LOCK:
        # A server asks from many threads at once: one builds the epoch's trees, the others
        # wait for them instead of building them too (lru_cache alone would let all of them).
        trees = _load_trees(str(path), bytes(row.file_hash or b""))
    if address not in trees.balances:
        raise OwnerNotInEpoch(f"owner {owner_id} has no balance in epoch {epoch}", epoch=epoch)
    balance_proof = _proof(trees.state, (address, trees.balances[address]))
    reward = trees.rewards.get(address, 0)
    reward_proof = _proof(trees.rewarded, (address, reward)) if reward else None
    return OwnerProof(
        epoch=epoch,
        address=address,
        balance=trees.balances[address],
        balance_proof=balance_proof,
        state_root=bytes(row.state_root or b""),
        reward=reward,
        reward_proof=reward_proof,
        rewards_root=bytes(row.rewards_root or b""),
    )


def verify_owner_proof(proof: OwnerProof, program: ProgramView) -> bool:
    """Whether the proof holds against the roots the chain committed for its epoch."""
    committed = program.commitment(proof.epoch)
    if committed is None:
        return False
    leaf = calculate_leaf_hash(BALANCE_LEAF, (proof.address, proof.balance))
    if not verify_proof(committed.state_root, leaf, proof.balance_proof):
        return False
    if proof.reward_proof is None:
        return proof.reward == 0
    leaf = calculate_leaf_hash(REWARD_LEAF, (proof.address, proof.reward))
    return verify_proof(committed.rewards_root, leaf, proof.reward_proof)


def _proof(tree: StandardMerkleTree | None, value: tuple[bytes, int]) -> list[bytes]:
    assert tree is not None  # the value came from the tree's own leaves
    return tree.get_proof(value)


@lru_cache(maxsize=TREES_CACHED)
def _load_trees(path: str, expected_hash: bytes) -> _EpochTrees:
    record, canonical = epochfile.read(Path(path))
    if epochfile.file_hash(canonical) != expected_hash:
        raise EpochFileMismatch(f"{path} is not the epoch file that was finalized")
    return _EpochTrees(
        balances=record.balances,
        rewards=record.rewards,
        state=build_account_tree(record.balances, BALANCE_LEAF),
        rewarded=build_account_tree(record.rewards, REWARD_LEAF),
    )
