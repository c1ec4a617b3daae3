"""What settled epochs paid, for reports: each epoch's figures, owners paid, drops, mined per
owner. Read-only; the figures are the ones settlement recorded."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from milestone.epochs.models import EpochDropRecord, EpochRecord


@dataclass(frozen=True)
class EpochPaid:
    """An epoch whose drops are computed: what it paid, rolled over and mined in all."""

    epoch: int
    paid: int
    rollover_out: int
    cum_mined: int


def epochs_paid(session: Session) -> list[EpochPaid]:
    """Every epoch settlement has paid, oldest first."""
    rows = session.execute(
        select(EpochRecord).where(EpochRecord.paid.is_not(None)).order_by(EpochRecord.epoch)
    ).scalars()
    return [EpochPaid(row.epoch, row.paid or 0, row.rollover_out or 0, row.cum_mined or 0)
            for row in rows]


def owners_paid_by_epoch(session: Session) -> dict[int, int]:
    """How many owners drops fell to, by epoch."""
    rows = session.execute(
        select(EpochDropRecord.epoch, func.count(func.distinct(EpochDropRecord.owner_id)))
        .group_by(EpochDropRecord.epoch)
    )
    return {epoch: int(count) for epoch, count in rows}


def round_totals(session: Session) -> list[int]:
    """Pebbles each round of each epoch paid, in no particular order (rounds that paid)."""
    rows = session.execute(
        select(func.sum(EpochDropRecord.amount))
        .group_by(EpochDropRecord.epoch, EpochDropRecord.round)
    ).scalars()
    return [int(total) for total in rows if total]


def mined_by_owner(session: Session) -> dict[int, int]:
    """Pebbles of drops each owner received, over every epoch."""
    rows = session.execute(
        select(EpochDropRecord.owner_id, func.sum(EpochDropRecord.amount))
        .group_by(EpochDropRecord.owner_id)
    )
    return {owner_id: int(amount) for owner_id, amount in rows}
