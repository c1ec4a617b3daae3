"""Tables of settlement: epochs and their steps, frozen weights, drops, rewards, owners' settled
balances, and attestations.

Owners appear by id (to reach their ledger account) and by the pseudonymous address the epoch
published them under; the epoch file holds only addresses.
"""

from __future__ import annotations

from sqlalchemy import BigInteger, Index, Integer, LargeBinary, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from milestone.storage.base import Base

SETTLING = "settling"
FINALIZED = "finalized"


class EpochRecord(Base):
    """One epoch's settlement: its status and every value its steps fixed so far."""

    __tablename__ = "epoch"

    epoch: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    status: Mapped[str] = mapped_column(String(16))
    started_at: Mapped[int] = mapped_column(BigInteger)
    finalized_at: Mapped[int | None] = mapped_column(BigInteger)
    inputs_cutoff: Mapped[int] = mapped_column(BigInteger)
    """Trips received after this instant do not count for the epoch."""
    scheduled: Mapped[int] = mapped_column(BigInteger)
    rollover_in: Mapped[int] = mapped_column(BigInteger)
    rollover_out: Mapped[int | None] = mapped_column(BigInteger)
    paid: Mapped[int | None] = mapped_column(BigInteger)
    weights_root: Mapped[bytes] = mapped_column(LargeBinary(32))
    total_weight: Mapped[int] = mapped_column(BigInteger)
    seed: Mapped[bytes | None] = mapped_column(LargeBinary(32))
    rewards_root: Mapped[bytes | None] = mapped_column(LargeBinary(32))
    state_root: Mapped[bytes | None] = mapped_column(LargeBinary(32))
    journal_seq: Mapped[int | None] = mapped_column(BigInteger)
    journal_head: Mapped[bytes | None] = mapped_column(LargeBinary(32))
    file_hash: Mapped[bytes | None] = mapped_column(LargeBinary(32))
    cum_mined: Mapped[int | None] = mapped_column(BigInteger)
    cum_activity: Mapped[int | None] = mapped_column(BigInteger)
    cum_burned: Mapped[int | None] = mapped_column(BigInteger)
    cum_dividends_fen: Mapped[int | None] = mapped_column(BigInteger)
    dividends_root: Mapped[bytes | None] = mapped_column(LargeBinary(32))
    dividend_record_epoch: Mapped[int | None] = mapped_column(BigInteger)
    """The record epoch of the dividend committed with this epoch (None when there is none)."""
    dividends_fen: Mapped[int | None] = mapped_column(BigInteger)
    dividends_issuer_fen: Mapped[int | None] = mapped_column(BigInteger)
    """The issuer's part of the dividend committed with the epoch (per-stone dividends)."""


class EpochStepRecord(Base):
    """A completed step of an epoch's settlement, with what it recorded (canonical JSON)."""

    __tablename__ = "epoch_step"

    epoch: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    step: Mapped[str] = mapped_column(String(24), primary_key=True)
    done_at: Mapped[int] = mapped_column(BigInteger)
    detail: Mapped[str] = mapped_column(Text)


class EpochWeightRecord(Base):
    """An owner's frozen weight in one round of an epoch.

    The largest table of all (tens of millions of rows an epoch for a large fleet): partitioned
    by epoch on PostgreSQL, and dropped after the dispute window, since the epoch file carries
    every weight (retention, storage.md).
    """

    __tablename__ = "epoch_weight"
    __table_args__ = ({"postgresql_partition_by": "RANGE (epoch)"},)

    epoch: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    round: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    owner_id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    address: Mapped[bytes] = mapped_column(LargeBinary(20))
    weight: Mapped[int] = mapped_column(BigInteger)


class EpochDropRecord(Base):
    """What an owner won in one round: the per-round breakdown of the owner's history."""

    __tablename__ = "epoch_drop"
    __table_args__ = (Index("ix_epoch_drop_owner_epoch", "owner_id", "epoch"),)

    epoch: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    round: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    owner_id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    amount: Mapped[int] = mapped_column(BigInteger)


class EpochRewardRecord(Base):
    """An owner's mining reward for an epoch (its drops summed): one posting in the journal."""

    __tablename__ = "epoch_reward"
    __table_args__ = (Index("ix_epoch_reward_owner_epoch", "owner_id", "epoch"),)

    epoch: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    owner_id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    address: Mapped[bytes] = mapped_column(LargeBinary(20))
    amount: Mapped[int] = mapped_column(BigInteger)


class EpochFlowRecord(Base):
    """An owner's other stone movements in an epoch, net by journal kind (may be negative)."""

    __tablename__ = "epoch_flow"

    epoch: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    owner_id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    kind: Mapped[str] = mapped_column(String(32), primary_key=True)
    address: Mapped[bytes] = mapped_column(LargeBinary(20))
    amount: Mapped[int] = mapped_column(BigInteger)


class OwnerStateRecord(Base):
    """An owner's balance in the state tree of the last epoch settled, and its address there."""

    __tablename__ = "owner_state"

    owner_id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    address: Mapped[bytes] = mapped_column(LargeBinary(20), unique=True)
    balance: Mapped[int] = mapped_column(BigInteger)
    epoch: Mapped[int] = mapped_column(BigInteger)
    """The last epoch whose state this row is part of."""


class OwnerBalanceRecord(Base):
    """An owner's settled balance from an epoch on: written for each epoch it changed in."""

    __tablename__ = "owner_balance"

    owner_id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    epoch: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    address: Mapped[bytes] = mapped_column(LargeBinary(20))
    balance: Mapped[int] = mapped_column(BigInteger)


class EpochAttestationRecord(Base):
    """An attestor's EIP-712 signature over an epoch's result."""

    __tablename__ = "epoch_attestation"

    epoch: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    attestor: Mapped[bytes] = mapped_column(LargeBinary(20), primary_key=True)
    signature: Mapped[bytes] = mapped_column(LargeBinary(65))
    added_at: Mapped[int] = mapped_column(BigInteger)


class EpochTreeNodeRecord(Base):
    """A node of an epoch's state or rewards tree, stored when the tree is built: a proof is a
    handful of these rows. A leaf's row also names the account and the amount it commits."""

    __tablename__ = "epoch_tree_node"
    __table_args__ = (
        Index("ix_epoch_tree_node_leaf", "epoch", "tree", "address"),
        {"sqlite_with_rowid": False},
    )

    epoch: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    tree: Mapped[str] = mapped_column(String(8), primary_key=True)
    node: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    hash: Mapped[bytes] = mapped_column(LargeBinary(32))
    address: Mapped[bytes | None] = mapped_column(LargeBinary(20))
    amount: Mapped[int | None] = mapped_column(BigInteger)
