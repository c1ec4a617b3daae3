"""Bodies of administration: settling epochs, and where settlement stands."""

from __future__ import annotations

from pydantic import BaseModel

from milestone.api.schemas.common import Amount, Instant, hex_of
from milestone.api.schemas.requests import EpochIn, RequestModel
from milestone.epochs.settle import SettledEpoch


class SettleCreate(RequestModel):
    through_epoch: EpochIn | None = None
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
