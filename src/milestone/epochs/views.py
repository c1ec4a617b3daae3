"""Reading settled epochs for people: one epoch in full, and emission against the schedule."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from milestone.epochs import epochfile
from milestone.epochs.errors import EpochNotFinalized
from milestone.epochs.models import FINALIZED, EpochRecord
from milestone.epochs.steps import STEPS, done_steps
from milestone.errors import NotFound
from milestone.program.service import Program
from milestone.rules.params import Parameters
from milestone.rules.schedule import calculate_cumulative_release, calculate_epoch_budget

PAGE_MAX = 500


class UnknownEpoch(NotFound):
    code = "unknown_epoch"


@dataclass(frozen=True)
class EpochView:
    record: EpochRecord
    steps_done: tuple[str, ...]
    """In the order settlement runs them."""


@dataclass(frozen=True)
class SchedulePoint:
    """One settled epoch's emission next to what the schedule allowed (pebbles)."""

    epoch: int
    mining_budget: int
    """The schedule's budget for this epoch alone."""
    mining_available: int
    """The budget plus what earlier epochs without driving rolled over into it."""
    mining_paid: int
    mining_cumulative: int
    mining_cumulative_schedule: int
    activity_cumulative: int
    activity_cumulative_schedule: int
    burned_cumulative: int


def epoch_view(session: Session, epoch: int) -> EpochView:
    """Everything settlement fixed about `epoch` so far, and which of its steps are done."""
    record = session.get(EpochRecord, epoch)
    if record is None:
        raise UnknownEpoch(f"epoch {epoch} has not been settled or started", epoch=epoch)
    done = done_steps(session, epoch)
    return EpochView(record, tuple(step for step in STEPS if step in done))


def find_epoch(session: Session, epoch: int) -> EpochRecord | None:
    return session.get(EpochRecord, epoch)


def epoch_records(
    session: Session, *, before: int | None = None, limit: int = 50
) -> list[EpochRecord]:
    """Settled and settling epochs, newest first."""
    query = select(EpochRecord).order_by(EpochRecord.epoch.desc()).limit(min(limit, PAGE_MAX))
    if before is not None:
        query = query.where(EpochRecord.epoch < before)
    return list(session.execute(query).scalars())


def schedule_vs_actual(
    session: Session, parameters: Parameters, *, before: int | None = None, limit: int = 50
) -> list[SchedulePoint]:
    """Finalized epochs, newest first, with the schedule's figures beside the actual ones."""
    query = (
        select(EpochRecord)
        .where(EpochRecord.status == FINALIZED)
        .order_by(EpochRecord.epoch.desc())
        .limit(min(limit, PAGE_MAX))
    )
    if before is not None:
        query = query.where(EpochRecord.epoch < before)
    return [
        SchedulePoint(
            epoch=row.epoch,
            mining_budget=calculate_epoch_budget(parameters.mining, row.epoch),
            mining_available=row.scheduled + row.rollover_in,
            mining_paid=row.paid or 0,
            mining_cumulative=row.cum_mined or 0,
            mining_cumulative_schedule=calculate_cumulative_release(parameters.mining, row.epoch),
            activity_cumulative=row.cum_activity or 0,
            activity_cumulative_schedule=calculate_cumulative_release(
                parameters.activity, row.epoch
            ),
            burned_cumulative=row.cum_burned or 0,
        )
        for row in session.execute(query).scalars()
    ]


def last_closed_epoch_at(program: Program, now: int, grace_seconds: int) -> int:
    """The latest epoch whose inputs are complete at `now` (-1 before the first closes).

    The same instant `milestone.epochs.settle.last_closed_epoch` settles up to: an epoch closes
    `grace_seconds` after it ends, so late uploads of its trips still count.
    """
    settle_point = now - grace_seconds
    if settle_point < program.genesis:
        return -1
    return (settle_point - program.genesis) // program.parameters.epoch_seconds - 1


def epoch_file_path(session: Session, epochs_dir: Path, epoch: int) -> Path:
    """The published file of finalized `epoch` (the one anyone may download and re-check)."""
    record = session.get(EpochRecord, epoch)
    if record is None or record.status != FINALIZED:
        raise EpochNotFinalized(f"epoch {epoch} is not finalized", epoch=epoch)
    path = Path(epochs_dir) / epochfile.file_name(epoch)
    if not path.is_file():
        raise UnknownEpoch(f"the file of epoch {epoch} is not in this data directory", epoch=epoch)
    return path
