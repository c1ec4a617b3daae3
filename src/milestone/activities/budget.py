"""The released activity budget: each epoch's share is released when the epoch opens.

The activity reserve (30% of the supply) is released on its halving schedule into
`budget:activity`; check-ins and referrals pay from it directly and campaigns reserve part of it
into their own account. An epoch's share is released the first time anything pays from or
reserves the budget during the epoch (`release_opened_budgets`), and at the latest by its
settlement, so the first owners' check-ins are paid on launch day. A reward larger than what
is released waits: nothing ever pays from the reserve itself.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from milestone.activities.errors import (
    ActivityBudgetExhausted,
    EpochNotBegun,
    ReleaseConflict,
    ReleaseExceedsSchedule,
)
from milestone.activities.models import ActivityRelease
from milestone.clock import Clock
from milestone.ledger import (
    ACTIVITY_BUDGET,
    ACTIVITY_RESERVE,
    Asset,
    JournalEntry,
    balance_of,
    owner_account,
    post_transaction,
    transfer,
)
from milestone.ledger.calendar import load_calendar
from milestone.ledger.journal import lock_head
from milestone.program.service import load_program
from milestone.rules.params import Parameters
from milestone.rules.schedule import calculate_epoch_budget
from milestone.rules.units import format_pebbles

RELEASE_KIND = "activity.release"
_PARAMETERS_KEY = "milestone.activities.parameters"


def program_parameters(session: Session) -> Parameters:
    """The program's parameters, read once per session (they never change)."""
    cached = session.info.get(_PARAMETERS_KEY)
    if cached is None:
        cached = session.info[_PARAMETERS_KEY] = load_program(session).parameters
    parameters: Parameters = cached
    return parameters


def current_day(session: Session, clock: Clock) -> int:
    """Today's epoch number (a UTC day counted from genesis)."""
    return load_calendar(session).epoch_of(clock.now())


def release_activity_budget(
    session: Session, clock: Clock, epoch: int, amount: int
) -> ActivityRelease:
    """Release `amount` pebbles of the activity reserve for `epoch`; once per epoch. No commit.

    `release_opened_budgets` calls this as epochs open, and settlement for each epoch it closes
    (in case nothing paid during the epoch), with the schedule's budget for the epoch. Calling
    again with the same amount returns the first release; another amount is refused.
    """
    lock_head(session)  # serializes with every other writer of the journal
    existing = session.get(ActivityRelease, epoch)
    if existing is not None:
        if existing.amount != amount:
            raise ReleaseConflict(
                f"epoch {epoch} already released {existing.amount}, not {amount}", epoch=epoch
            )
        return existing
    if epoch < 0 or epoch > current_day(session, clock):
        raise EpochNotBegun(
            f"epoch {epoch} has not begun; its budget cannot be released", epoch=epoch
        )
    allowed = calculate_epoch_budget(program_parameters(session).activity, epoch)
    if not 0 <= amount <= allowed:
        raise ReleaseExceedsSchedule(
            f"epoch {epoch} may release 0 to {allowed} pebbles of the activity reserve, "
            f"not {amount}",
            epoch=epoch, allowed=allowed,
        )
    entry_seq = None
    if amount > 0:
        entry = post_transaction(
            session, clock, RELEASE_KIND, f"{RELEASE_KIND}:{epoch}",
            transfer(ACTIVITY_RESERVE, ACTIVITY_BUDGET, amount), {"epoch": epoch},
        )
        entry_seq = entry.seq
    release = ActivityRelease(
        epoch=epoch, amount=amount, released_at=clock.now(), entry_seq=entry_seq
    )
    session.add(release)
    session.flush()
    return release


def release_opened_budgets(session: Session, clock: Clock) -> None:
    """Release the schedule's share of every epoch that has opened and is not released yet.
    No commit.

    Why on opening rather than at settlement: otherwise nothing is released during epoch 0 and
    every launch-day check-in is refused. The totals stay within the schedule, which releases
    each epoch's share from its first instant (`calculate_cumulative_release` counts the epoch).
    """
    today = current_day(session, clock)
    if today < 0:
        return
    lock_head(session)
    last = session.execute(select(func.max(ActivityRelease.epoch))).scalar_one()
    activity = program_parameters(session).activity
    for epoch in range(0 if last is None else last + 1, today + 1):
        release_activity_budget(session, clock, epoch, calculate_epoch_budget(activity, epoch))


def released_budget(session: Session) -> int:
    """Pebbles released and not yet paid out nor reserved by a campaign."""
    return balance_of(session, ACTIVITY_BUDGET)


def pay_from_budget(
    session: Session,
    clock: Clock,
    kind: str,
    key: str,
    rewards: Mapping[int, int],
    metadata: Mapping[str, Any],
) -> JournalEntry:
    """Pay each owner their reward from the released budget in one journal entry."""
    release_opened_budgets(session, clock)
    total = sum(rewards.values())
    available = released_budget(session)
    if total > available:
        raise ActivityBudgetExhausted(
            f"the released activity budget holds {format_pebbles(available)} stones, "
            f"{format_pebbles(total)} needed; more is released as epochs settle",
            available=available, needed=total,
        )
    postings = [
        posting
        for owner_id, amount in rewards.items()
        if amount > 0
        for posting in transfer(ACTIVITY_BUDGET, owner_account(owner_id), amount, Asset.STONE)
    ]
    return post_transaction(session, clock, kind, key, postings, metadata)


def releases(session: Session) -> list[ActivityRelease]:
    """Every release, by epoch."""
    return list(session.execute(select(ActivityRelease).order_by(ActivityRelease.epoch)).scalars())
