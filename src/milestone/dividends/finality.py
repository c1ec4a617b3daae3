"""Which epochs are final: the interface between settlement and everything that needs final
balances (dividends here).

Settlement (issue 6) records an epoch here once `finalize` succeeded on-chain; until it exists,
`record_finalized_epoch` is how the operator's tools and the tests mark one. Epochs finalize in
order, one after the other, so finality is one row per epoch and the last one bounds them all.
"""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from milestone.clock import Clock
from milestone.dividends.errors import EpochNotFinalized
from milestone.dividends.models import FinalizedEpoch
from milestone.ledger.calendar import load_calendar
from milestone.ledger.journal import lock_head


def is_epoch_finalized(session: Session, epoch: int) -> bool:
    return session.get(FinalizedEpoch, epoch) is not None


def last_finalized_epoch(session: Session) -> int | None:
    """The newest finalized epoch, None before the first."""
    return session.execute(select(func.max(FinalizedEpoch.epoch))).scalar_one()


def record_finalized_epoch(session: Session, clock: Clock, epoch: int) -> FinalizedEpoch:
    """Record that `epoch` was finalized: the next one after the last, and already over."""
    lock_head(session)
    existing = session.get(FinalizedEpoch, epoch)
    if existing is not None:
        return existing
    last = last_finalized_epoch(session)
    expected = 0 if last is None else last + 1
    if epoch != expected:
        raise EpochNotFinalized(
            f"epochs finalize in order: the next is {expected}, not {epoch}", epoch=epoch
        )
    if epoch >= load_calendar(session).epoch_of(clock.now()):
        raise EpochNotFinalized(f"epoch {epoch} is not over yet", epoch=epoch)
    row = FinalizedEpoch(epoch=epoch, finalized_at=clock.now())
    session.add(row)
    session.flush()
    return row
