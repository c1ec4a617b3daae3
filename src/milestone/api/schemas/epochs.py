"""Bodies of epochs, their commitments, emission against the schedule, proofs and settlement."""

from __future__ import annotations

from pydantic import BaseModel, Field

from milestone.api.schemas.common import Amount, Instant, hex_of, optional_hex, optional_instant
from milestone.chain.program import EpochResult, Roles
from milestone.chain.status import ChainStatus
from milestone.epochs.models import EpochRecord
from milestone.epochs.proofs import OwnerProof
from milestone.epochs.settle import SettledEpoch
from milestone.epochs.views import EpochView, SchedulePoint


def _amount(value: int | None) -> Amount | None:
    return None if value is None else Amount.of(value)


class EpochPublic(BaseModel):
    epoch: int
    status: str
    """`settling` while its steps run, `finalized` once committed on-chain."""
    started_at: Instant
    finalized_at: Instant | None
    mined: Amount | None
    state_root: str | None
    rewards_root: str | None
    file_hash: str | None

    @classmethod
    def of(cls, row: EpochRecord) -> EpochPublic:
        return cls(
            epoch=row.epoch, status=row.status, started_at=Instant.of(row.started_at),
            finalized_at=optional_instant(row.finalized_at), mined=_amount(row.paid),
            state_root=optional_hex(row.state_root), rewards_root=optional_hex(row.rewards_root),
            file_hash=optional_hex(row.file_hash),
        )


class EpochDetailPublic(EpochPublic):
    inputs_cutoff: Instant
    """Trips received after this instant did not count for the epoch."""
    mining_budget: Amount
    rollover_in: Amount
    rollover_out: Amount | None
    weights_root: str
    total_weight: int
    seed: str | None
    journal_seq: int | None
    journal_head: str | None
    cum_mined: Amount | None
    cum_activity: Amount | None
    cum_burned: Amount | None
    cum_dividends_fen: int | None
    dividends_root: str | None
    steps_done: list[str]

    @classmethod
    def of_view(cls, view: EpochView) -> EpochDetailPublic:
        row = view.record
        return cls(
            **EpochPublic.of(row).model_dump(),
            inputs_cutoff=Instant.of(row.inputs_cutoff), mining_budget=Amount.of(row.scheduled),
            rollover_in=Amount.of(row.rollover_in), rollover_out=_amount(row.rollover_out),
            weights_root=hex_of(row.weights_root), total_weight=row.total_weight,
            seed=optional_hex(row.seed), journal_seq=row.journal_seq,
            journal_head=optional_hex(row.journal_head), cum_mined=_amount(row.cum_mined),
            cum_activity=_amount(row.cum_activity), cum_burned=_amount(row.cum_burned),
            cum_dividends_fen=row.cum_dividends_fen,
            dividends_root=optional_hex(row.dividends_root), steps_done=list(view.steps_done),
        )


class CommitmentPublic(BaseModel):
    """What the Program contract committed for the epoch, read from the chain."""

    epoch: int
    state_root: str
    rewards_root: str
    journal_head: str
    epoch_file_hash: str
    dividends_root: str
    cum_mined: Amount
    cum_activity: Amount
    cum_burned: Amount
    cum_dividends_fen: int
    matches_database: bool
    """The chain's roots are the ones settlement recorded for this epoch."""

    @classmethod
    def of(cls, result: EpochResult, row: EpochRecord | None) -> CommitmentPublic:
        matches = row is not None and (
            optional_hex(row.state_root), optional_hex(row.rewards_root),
            optional_hex(row.file_hash),
        ) == (hex_of(result.state_root), hex_of(result.rewards_root),
              hex_of(result.epoch_file_hash))
        return cls(
            epoch=result.epoch, state_root=hex_of(result.state_root),
            rewards_root=hex_of(result.rewards_root), journal_head=hex_of(result.journal_head),
            epoch_file_hash=hex_of(result.epoch_file_hash),
            dividends_root=hex_of(result.dividends_root), cum_mined=Amount.of(result.cum_mined),
            cum_activity=Amount.of(result.cum_activity), cum_burned=Amount.of(result.cum_burned),
            cum_dividends_fen=result.cum_dividends_fen, matches_database=matches,
        )


class SchedulePointPublic(BaseModel):
    epoch: int
    mining_budget: Amount
    mining_available: Amount
    """The epoch's budget plus what earlier epochs without driving rolled over into it."""
    mining_paid: Amount
    mining_cumulative: Amount
    mining_cumulative_schedule: Amount
    """The most the schedule allows mined by the end of the epoch (the contract's bound)."""
    activity_cumulative: Amount
    activity_cumulative_schedule: Amount
    burned_cumulative: Amount

    @classmethod
    def of(cls, point: SchedulePoint) -> SchedulePointPublic:
        return cls(
            epoch=point.epoch, mining_budget=Amount.of(point.mining_budget),
            mining_available=Amount.of(point.mining_available),
            mining_paid=Amount.of(point.mining_paid),
            mining_cumulative=Amount.of(point.mining_cumulative),
            mining_cumulative_schedule=Amount.of(point.mining_cumulative_schedule),
            activity_cumulative=Amount.of(point.activity_cumulative),
            activity_cumulative_schedule=Amount.of(point.activity_cumulative_schedule),
            burned_cumulative=Amount.of(point.burned_cumulative),
        )


class ProofPublic(BaseModel):
    """A balance after an epoch and the reward in it, each with its Merkle proof.

    Leaves are `keccak256(keccak256(abi.encode(address, uint256 amount)))` (OpenZeppelin's
    standard tree); check `balance_proof` against the epoch's `state_root` and `reward_proof`
    against its `rewards_root`, as committed on-chain.
    """

    epoch: int
    address: str
    balance: Amount
    balance_proof: list[str]
    state_root: str
    reward: Amount
    reward_proof: list[str] | None
    """Null when the account won nothing in the epoch."""
    rewards_root: str

    @classmethod
    def of(cls, proof: OwnerProof) -> ProofPublic:
        return cls(
            epoch=proof.epoch, address=hex_of(proof.address), balance=Amount.of(proof.balance),
            balance_proof=[hex_of(node) for node in proof.balance_proof],
            state_root=hex_of(proof.state_root), reward=Amount.of(proof.reward),
            reward_proof=None if proof.reward_proof is None
            else [hex_of(node) for node in proof.reward_proof],
            rewards_root=hex_of(proof.rewards_root),
        )


class SettleCreate(BaseModel):
    through_epoch: int | None = Field(default=None, ge=0, le=2**40)
    """Settle up to this epoch; every closed one when absent."""


class SettledEpochPublic(BaseModel):
    epoch: int
    weights_root: str
    seed: str
    rewards_root: str
    state_root: str
    file_hash: str
    mined: Amount
    rollover: Amount

    @classmethod
    def of(cls, settled: SettledEpoch) -> SettledEpochPublic:
        return cls(
            epoch=settled.epoch, weights_root=hex_of(settled.weights_root),
            seed=hex_of(settled.seed), rewards_root=hex_of(settled.rewards_root),
            state_root=hex_of(settled.state_root), file_hash=hex_of(settled.file_hash),
            mined=Amount.of(settled.paid), rollover=Amount.of(settled.rollover_out),
        )


class ChainStatusPublic(BaseModel):
    kind: str
    location: str
    chain_id: int
    contract: str
    next_epoch: int
    operator: str
    attestors: list[str]
    threshold: int
    beacon_members: list[str]

    @classmethod
    def of(cls, status: ChainStatus) -> ChainStatusPublic:
        roles: Roles = status.roles
        return cls(
            kind=status.kind, location=status.location, chain_id=status.chain_id,
            contract=status.contract, next_epoch=status.next_epoch, operator=roles.operator,
            attestors=list(roles.attestors), threshold=roles.threshold,
            beacon_members=list(roles.beacon_members),
        )


class SettlementStatusPublic(BaseModel):
    now: Instant
    current_epoch: int
    last_closed_epoch: int
    """The latest epoch whose inputs are complete (-1 before the first closes)."""
    first_unsettled_epoch: int
    last_finalized_epoch: int | None
    epochs_to_settle: int
    journal_seq: int
    journal_head: str
    ledger_reconciles: bool
    """Every issued stone is accounted for in the balances."""
    trips: int
    rejections: int
