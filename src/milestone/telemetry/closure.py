"""Which epochs the intake still takes driving for: the interface between settlement and intake.

Settlement counts a trip's meters of epoch `e` only if the trip was received by `e`'s inputs
cutoff (its end plus the settlement grace, `Settings.settle_grace_seconds`). An epoch is
*closed* to the intake once its cutoff has passed by the intake's clock, or once settlement has
frozen it, whichever comes first: an operator may settle with a shorter grace, or from a
machine whose clock runs ahead, and a frozen epoch never takes another trip (if the intake had
already accepted some after the settler's cutoff, the freeze stops with `grace_mismatch`
rather than leave them out). The intake
refuses a trip whose driving lies wholly in closed epochs (`epoch_closed`) instead of telling
the owner "accepted" for meters that can never count.

The freeze and a batch in flight must not cross: on PostgreSQL every batch holds a shared
transaction-level advisory lock and closing an epoch takes it exclusively, so closing waits
for the batches in flight to commit (settlement then reads their trips) and the batches after
it see the closure. SQLite runs one write transaction at a time (BEGIN IMMEDIATE) already.
"""

from __future__ import annotations

from typing import Final

from sqlalchemy import func, select, text
from sqlalchemy.orm import Session

from milestone.program.service import Program
from milestone.rules.trips import first_open_epoch
from milestone.telemetry.models import ClosedEpoch

INTAKE_LOCK_KEY: Final[int] = 0x6D696C65696E7461
"""PostgreSQL advisory lock key between intake and freeze ("mileinta" in ASCII)."""


def hold_intake_open(session: Session) -> None:
    """Keep epochs from closing until the caller's transaction ends (PostgreSQL)."""
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("SELECT pg_advisory_xact_lock_shared(:key)"), {"key": INTAKE_LOCK_KEY})


def close_epoch(session: Session, epoch: int, inputs_cutoff: int, now: int) -> None:
    """Close `epoch` to the intake, in the caller's transaction, once the batches in flight are
    in (idempotent: closing it again changes nothing)."""
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": INTAKE_LOCK_KEY})
    if session.get(ClosedEpoch, epoch) is None:
        session.add(ClosedEpoch(epoch=epoch, inputs_cutoff=inputs_cutoff, closed_at=now))
        session.flush()


def last_closed_epoch(session: Session) -> int:
    """The newest epoch settlement has closed (-1 before the first)."""
    last = session.execute(select(func.max(ClosedEpoch.epoch))).scalar_one()
    return -1 if last is None else int(last)


def intake_first_open_epoch(session: Session, program: Program, now: int, grace: int) -> int:
    """The earliest epoch whose driving the intake still accepts at `now`."""
    by_clock = first_open_epoch(now, program.genesis, program.parameters.epoch_seconds, grace)
    return max(by_clock, last_closed_epoch(session) + 1)
