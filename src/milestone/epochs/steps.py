"""The steps of an epoch's settlement and their record in the database.

A step is done once its row is in `epoch_step`; the row is written in the same database
transaction as everything the step changes, so a step is either wholly done or not at all.
Steps that act on the chain first read the chain (the anchoring client does: a step already
there with the same values is not sent again), then record themselves. Killed at any point and
run again, settlement resumes at the first step without a row and redoes only that one.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Final, Protocol

from eth_account.signers.local import LocalAccount
from sqlalchemy import select
from sqlalchemy.orm import Session

from milestone.chain.anchor import Anchor
from milestone.clock import Clock
from milestone.epochs.errors import SettlementError
from milestone.epochs.models import EpochRecord, EpochStepRecord
from milestone.program.service import Program
from milestone.settings import DEFAULT_DISPUTE_WINDOW_SECONDS, DEFAULT_SETTLE_GRACE_SECONDS
from milestone.storage import Database

STEPS: Final[tuple[str, ...]] = (
    "freeze",  # inputs, weights and weights root, budget
    "commit",  # beacon commitments for this epoch and the next, all members in
    "post_weights",  # the weights root on-chain
    "reveal",  # the operator's reveal, every member's in, the seed checked
    "drops",  # every round's drops, rewards, rollover
    "activity",  # the activity reserve's release for the epoch
    "postings",  # the mining rewards in the journal; the journal head
    "state",  # balances carried forward, state and rewards roots, totals
    "publish",  # the epoch file written, its hash recorded
    "attest",  # attestor signatures over the result
    "finalize",  # the result committed on-chain; the epoch is final
    "commit_ahead",  # the beacon commitment two epochs ahead
)
"""Every step, in order."""

DEFAULT_GRACE_SECONDS: Final[int] = DEFAULT_SETTLE_GRACE_SECONDS
"""How long after an epoch ends its trips may still arrive and count."""

StepHook = Callable[[int, str, str], None]
"""Called with (epoch, step, phase) at phases "start", "sent" (chain steps) and "done"."""


class DividendsCommitted(Protocol):
    """What an epoch commits on-chain for dividends: a root, and the fen declared so far."""

    @property
    def root(self) -> bytes: ...

    @property
    def cumulative_fen(self) -> int: ...

    @property
    def issuer_fen(self) -> int: ...

    @property
    def record_epoch(self) -> int | None:
        """The record epoch of the dividend committed, None when there is none."""


DividendsSource = Callable[[Session, int], DividendsCommitted]
"""Given a session and an epoch, what the epoch commits for dividends (assigning it a dividend
if one is due), in the caller's transaction: `milestone.dividends.commitments.dividends_commitment`.

Settlement receives it rather than importing it, so that the dividends, which read settled
epochs, depend on settlement and not the other way round.
"""


@dataclass
class Settlement:
    """Everything settlement works with: the database, the clock, the chain, the data directory,
    and where the dividend roots come from."""

    database: Database
    clock: Clock
    anchor: Anchor
    data_dir: Path
    beacon_secret: bytes
    program: Program
    dividends: DividendsSource
    grace_seconds: int = DEFAULT_GRACE_SECONDS
    attestors: tuple[LocalAccount, ...] = ()
    """Attestor keys that sign here; the operator's is used too if it is an attestor."""
    on_step: StepHook | None = None
    dispute_window_seconds: int = DEFAULT_DISPUTE_WINDOW_SECONDS
    """Retention's window: per-trip rows of epochs finalized longer ago are pruned."""
    _chain_id: int | None = field(default=None, repr=False)

    @property
    def epochs_dir(self) -> Path:
        return Path(self.data_dir) / "epochs"

    @property
    def chain_id(self) -> int:
        if self._chain_id is None:
            self._chain_id = int(self.anchor.connection.w3.eth.chain_id)
        return self._chain_id

    def hook(self, epoch: int, step: str, phase: str) -> None:
        if self.on_step is not None:
            self.on_step(epoch, step, phase)


def done_steps(session: Session, epoch: int) -> dict[str, dict[str, Any]]:
    """The steps of `epoch` already done, with what each recorded."""
    rows = session.execute(
        select(EpochStepRecord.step, EpochStepRecord.detail).where(EpochStepRecord.epoch == epoch)
    )
    return {step: json.loads(detail) for step, detail in rows}


def record_step(
    session: Session, clock: Clock, epoch: int, step: str, detail: dict[str, Any] | None = None
) -> None:
    """Mark `step` of `epoch` done, in the caller's transaction."""
    if step not in STEPS:
        raise ValueError(f"unknown step {step!r}")
    session.add(
        EpochStepRecord(
            epoch=epoch,
            step=step,
            done_at=clock.now(),
            detail=json.dumps(detail or {}, sort_keys=True, separators=(",", ":")),
        )
    )
    session.flush()


def load_epoch(session: Session, epoch: int, *, lock: bool = False) -> EpochRecord:
    """The epoch's row; it exists from the freeze step on."""
    query = select(EpochRecord).where(EpochRecord.epoch == epoch)
    row = session.execute(query.with_for_update() if lock else query).scalar_one_or_none()
    if row is None:
        raise SettlementError(f"epoch {epoch} has not been frozen")
    return row


def hex_of(value: bytes) -> str:
    return "0x" + value.hex()


def from_hex(text: str) -> bytes:
    return bytes.fromhex(text.removeprefix("0x"))
