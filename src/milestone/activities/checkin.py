"""The daily check-in: once per owner per UTC day, a base reward plus a capped streak bonus."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from milestone.activities.budget import current_day, pay_from_budget, program_parameters
from milestone.activities.errors import AlreadyCheckedIn
from milestone.activities.models import CheckIn
from milestone.activities.standing import require_in_good_standing
from milestone.clock import Clock
from milestone.events import emit, owner_address
from milestone.ledger.journal import lock_head
from milestone.rules.activities import calculate_checkin_reward, calculate_streak

CHECKIN_KIND = "activity.checkin"


def check_in(session: Session, clock: Clock, owner_id: int) -> CheckIn:
    """Check the owner in for today and pay the reward from the released budget. No commit."""
    lock_head(session)  # one writer at a time: a concurrent second check-in sees this one
    require_in_good_standing(session, owner_id)
    day = current_day(session, clock)
    last = last_check_in(session, owner_id)
    if last is not None and last.day == day:
        raise AlreadyCheckedIn(
            "already checked in today; the next check-in day starts with the next epoch",
            owner_id=owner_id, day=day,
        )
    params = program_parameters(session)
    streak = calculate_streak(
        None if last is None else last.day, 0 if last is None else last.streak, day
    )
    reward = calculate_checkin_reward(
        streak, params.checkin_base_reward, params.checkin_streak_bonus, params.checkin_streak_cap
    )
    entry = pay_from_budget(
        session, clock, CHECKIN_KIND, f"{CHECKIN_KIND}:{owner_id}:{day}", {owner_id: reward},
        {"owner_id": owner_id, "day": day, "streak": streak},
    )
    row = CheckIn(
        owner_id=owner_id, day=day, streak=streak, reward=reward, checked_in_at=clock.now(),
        entry_seq=entry.seq,
    )
    session.add(row)
    session.flush()
    emit(session, "checkin.recorded", {"owner": owner_address(session, owner_id), "day": day,
         "streak": streak, "reward": str(reward)}, at=row.checked_in_at)
    return row


def last_check_in(session: Session, owner_id: int) -> CheckIn | None:
    """The owner's most recent check-in, if any."""
    return session.execute(
        select(CheckIn).where(CheckIn.owner_id == owner_id).order_by(CheckIn.day.desc()).limit(1)
    ).scalar_one_or_none()


def current_streak(session: Session, clock: Clock, owner_id: int) -> int:
    """The streak the owner keeps if they check in today (0 once a day was missed)."""
    last = last_check_in(session, owner_id)
    if last is None or last.day < current_day(session, clock) - 1:
        return 0
    return last.streak
