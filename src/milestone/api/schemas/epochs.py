"""Bodies of epochs, the chain the program runs on, drops, proofs and the schedule."""

from __future__ import annotations

from pydantic import BaseModel

from milestone.api.schemas.common import Amount, Instant, hex_of
from milestone.chain.reader import ChainInfo
from milestone.epochs.proofs import OwnerProof
from milestone.epochs.views import EpochDrops, EpochSummary


def _amount(pebbles: int | None) -> Amount | None:
    return None if pebbles is None else Amount.of(pebbles)


def _hex(value: bytes | None) -> str | None:
    return None if value is None else hex_of(value)


class EpochPublic(BaseModel):
    """An epoch's settlement: roots, totals and the mining schedule's bound."""

    epoch: int
    status: str
    starts_at: Instant
    ends_at: Instant
    finalized_at: Instant | None
    scheduled: Amount
    rollover_in: Amount
    rollover: Amount | None
    """What rolled over into the next epoch (rounds with no eligible driving)."""
    mined: Amount | None
    activity: Amount | None
    weights_root: str
    total_weight: str
    seed: str | None
    state_root: str | None
    rewards_root: str | None
    journal_head: str | None
    file_hash: str | None
    dividends_root: str | None
    cum_mined: Amount | None
    cum_activity: Amount | None
    cum_burned: Amount | None
    schedule_mined: Amount

    @classmethod
    def of(cls, e: EpochSummary) -> EpochPublic:
        return cls(
            epoch=e.epoch, status=e.status, starts_at=Instant.of(e.starts_at),
            ends_at=Instant.of(e.ends_at),
            finalized_at=None if e.finalized_at is None else Instant.of(e.finalized_at),
            scheduled=Amount.of(e.scheduled), rollover_in=Amount.of(e.rollover_in),
            rollover=_amount(e.rollover_out), mined=_amount(e.mined), activity=_amount(e.activity),
            weights_root=hex_of(e.weights_root), total_weight=str(e.total_weight),
            seed=_hex(e.seed), state_root=_hex(e.state_root), rewards_root=_hex(e.rewards_root),
            journal_head=_hex(e.journal_head), file_hash=_hex(e.file_hash),
            dividends_root=_hex(e.dividends_root), cum_mined=_amount(e.cum_mined),
            cum_activity=_amount(e.cum_activity), cum_burned=_amount(e.cum_burned),
            schedule_mined=Amount.of(e.schedule_mined),
        )


class ChainPublic(BaseModel):
    """Where the Program is and how a browser reads it."""

    backend: str
    chain_id: int
    program_address: str | None
    rpc_url: str | None
    """The node's JSON-RPC URL; null on the embedded chain: use `POST /api/v1/chain/rpc`."""
    next_epoch: int | None
    """Epochs finalized on-chain so far."""

    @classmethod
    def of(cls, info: ChainInfo) -> ChainPublic:
        return cls(
            backend=info.backend, chain_id=info.chain_id, program_address=info.program_address,
            rpc_url=info.rpc_url, next_epoch=info.next_epoch,
        )


class RoundDropsPublic(BaseModel):
    round: int
    drops: int
    amount: Amount


class EpochDropsPublic(BaseModel):
    """My drops in one finalized epoch, round by round (rounds where nothing fell are left out)."""

    epoch: int
    rounds_per_epoch: int
    total: Amount
    drops: int
    seed: str | None
    rounds: list[RoundDropsPublic]

    @classmethod
    def of(cls, e: EpochDrops) -> EpochDropsPublic:
        return cls(
            epoch=e.epoch, rounds_per_epoch=e.rounds_per_epoch, total=Amount.of(e.total),
            drops=e.drops, seed=_hex(e.seed),
            rounds=[RoundDropsPublic(round=r.round, drops=r.drops, amount=Amount.of(r.amount))
                    for r in e.rounds],
        )


class OwnerProofPublic(BaseModel):
    """My balance after an epoch and my reward in it, with Merkle proofs (OpenZeppelin's
    standard tree, leaves `(address, uint256)`); amounts are decimal strings of pebbles."""

    epoch: int
    address: str
    balance: str
    balance_proof: list[str]
    state_root: str
    reward: str
    reward_proof: list[str] | None
    rewards_root: str

    @classmethod
    def of(cls, proof: OwnerProof) -> OwnerProofPublic:
        return cls.model_validate(proof.to_dict())


class SchedulePointPublic(BaseModel):
    epoch: int
    mining: Amount
    """Released by the mining schedule through this epoch: the contract's bound."""
    activity: Amount


class SchedulePublic(BaseModel):
    points: list[SchedulePointPublic]
    exhaustion_epoch: int
    mining_total: Amount
    activity_total: Amount
