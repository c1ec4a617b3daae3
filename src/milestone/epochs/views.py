"""Read views of settlement for the API and the web app: epochs with their commitments, an
owner's drops round by round, and where a published epoch file lives.

Read-only. Epoch `e`'s mining schedule bound is the cumulative release through `e`, the same
number the Program contract checks `cum_mined` against at `finalize`.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from milestone.epochs import epochfile
from milestone.epochs.errors import EpochNotFinalized
from milestone.epochs.models import FINALIZED, EpochDropRecord, EpochRecord
from milestone.errors import MilestoneError
from milestone.program.service import Program
from milestone.rules.schedule import calculate_cumulative_release

EPOCHS_DIR = "epochs"
EPOCHS_PAGE_MAX = 500


class EpochNotSettled(MilestoneError):
    """No settlement has started for the epoch asked about."""

    code = "epoch_not_settled"
    http_status = 404


@dataclass(frozen=True)
class EpochSummary:
    """An epoch as settlement recorded it; roots and totals are None until computed."""

    epoch: int
    status: str
    starts_at: int
    ends_at: int
    finalized_at: int | None
    scheduled: int
    """The mining budget of the epoch itself (its schedule share, before rollover)."""
    rollover_in: int
    rollover_out: int | None
    mined: int | None
    weights_root: bytes
    total_weight: int
    seed: bytes | None
    state_root: bytes | None
    rewards_root: bytes | None
    journal_head: bytes | None
    file_hash: bytes | None
    dividends_root: bytes | None
    cum_mined: int | None
    cum_activity: int | None
    cum_burned: int | None
    schedule_mined: int
    """What the mining schedule allows by the end of the epoch (the contract's bound)."""
    activity: int | None
    """Activity rewards paid in the epoch: the growth of `cum_activity` over the epoch before."""


@dataclass(frozen=True)
class RoundDrops:
    round: int
    drops: int
    amount: int


@dataclass(frozen=True)
class EpochDrops:
    """What an owner's drops came to in one epoch, round by round."""

    epoch: int
    rounds_per_epoch: int
    seed: bytes | None
    rounds: list[RoundDrops]

    @property
    def total(self) -> int:
        return sum(round.amount for round in self.rounds)

    @property
    def drops(self) -> int:
        return sum(round.drops for round in self.rounds)


def list_epochs(
    session: Session, program: Program, *, before: int | None = None, limit: int = 100
) -> list[EpochSummary]:
    """Settled and settling epochs, newest first."""
    limit = max(1, min(limit, EPOCHS_PAGE_MAX))
    query = select(EpochRecord).order_by(EpochRecord.epoch.desc()).limit(limit)
    if before is not None:
        query = query.where(EpochRecord.epoch < before)
    rows = list(session.execute(query).scalars())
    by_epoch = {row.epoch: row for row in rows}
    return [_summary(program, row, by_epoch.get(row.epoch - 1) or _previous(session, row))
            for row in rows]


def get_epoch(session: Session, program: Program, epoch: int) -> EpochSummary:
    """One epoch; `EpochNotSettled` if settlement never started it."""
    row = session.get(EpochRecord, epoch)
    if row is None:
        raise EpochNotSettled(f"epoch {epoch} has not been settled", epoch=epoch)
    return _summary(program, row, _previous(session, row))


def epoch_file_path(session: Session, data_dir: Path, epoch: int) -> Path:
    """The published file of finalized `epoch`; `EpochNotFinalized` before it is."""
    row = session.get(EpochRecord, epoch)
    if row is None or row.status != FINALIZED or row.file_hash is None:
        raise EpochNotFinalized(f"epoch {epoch} is not finalized", epoch=epoch)
    return Path(data_dir) / EPOCHS_DIR / epochfile.file_name(epoch)


def drops_of_owner(session: Session, program: Program, owner_id: int) -> list[EpochDrops]:
    """The owner's drops in every finalized epoch, oldest first.

    A round's budget falls in drops of `drop_size` with one smaller drop for the remainder,
    so an owner's `amount` in a round is `k` whole drops plus at most that one smaller drop:
    the count is `amount` divided by the drop size, rounded up.
    """
    drop_size = program.parameters.drop_size
    query = (
        select(EpochDropRecord, EpochRecord.seed)
        .join(EpochRecord, EpochRecord.epoch == EpochDropRecord.epoch)
        .where(EpochDropRecord.owner_id == owner_id, EpochRecord.status == FINALIZED)
        .where(EpochDropRecord.amount > 0)
        .order_by(EpochDropRecord.epoch, EpochDropRecord.round)
    )
    epochs: dict[int, EpochDrops] = {}
    for record, seed in session.execute(query):
        found = epochs.setdefault(record.epoch, EpochDrops(
            record.epoch, program.parameters.rounds_per_epoch,
            bytes(seed) if seed is not None else None, [],
        ))
        found.rounds.append(RoundDrops(record.round, -(-record.amount // drop_size),
                                       record.amount))
    return list(epochs.values())


def _summary(program: Program, row: EpochRecord, previous: EpochRecord | None) -> EpochSummary:
    seconds = program.parameters.epoch_seconds
    starts_at = program.genesis + row.epoch * seconds
    activity = None
    if row.cum_activity is not None:
        before = previous.cum_activity if previous is not None else 0
        activity = row.cum_activity - (before or 0)
    return EpochSummary(
        epoch=row.epoch, status=row.status, starts_at=starts_at, ends_at=starts_at + seconds,
        finalized_at=row.finalized_at, scheduled=row.scheduled, rollover_in=row.rollover_in,
        rollover_out=row.rollover_out, mined=row.paid, weights_root=bytes(row.weights_root),
        total_weight=row.total_weight, seed=_bytes(row.seed), state_root=_bytes(row.state_root),
        rewards_root=_bytes(row.rewards_root), journal_head=_bytes(row.journal_head),
        file_hash=_bytes(row.file_hash), dividends_root=_bytes(row.dividends_root),
        cum_mined=row.cum_mined, cum_activity=row.cum_activity, cum_burned=row.cum_burned,
        schedule_mined=calculate_cumulative_release(program.parameters.mining, row.epoch),
        activity=activity,
    )


def _previous(session: Session, row: EpochRecord) -> EpochRecord | None:
    return session.get(EpochRecord, row.epoch - 1) if row.epoch > 0 else None


def _bytes(value: bytes | None) -> bytes | None:
    return None if value is None else bytes(value)


def last_closed_epoch_at(program: Program, now: int, grace_seconds: int) -> int:
    """The latest epoch whose inputs are complete at `now` (-1 before the first closes).

    The same instant `milestone.epochs.settle.last_closed_epoch` settles up to: an epoch closes
    `grace_seconds` after it ends, so late uploads of its trips still count.
    """
    settle_point = now - grace_seconds
    if settle_point < program.genesis:
        return -1
    return (settle_point - program.genesis) // program.parameters.epoch_seconds - 1
