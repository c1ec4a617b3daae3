"""The daily check-in: once a day, a streak bonus up to a cap, reset by a missed day."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from milestone.activities.checkin import check_in, current_streak
from milestone.activities.errors import ActivityBudgetExhausted, AlreadyCheckedIn, OwnerRevoked
from milestone.activities.standing import revoke_owner
from milestone.clock import ManualClock
from milestone.ledger import balance_of, owner_account
from milestone.program.service import Program
from milestone.registry.errors import UnknownOwner
from milestone.storage import Database

DAY = 86_400
STONE = 10**8
# The minimal preset: 1 stone a check-in, 0.1 more per day of streak, at most 7 bonuses.
BASE, BONUS, CAP = STONE, STONE // 10, 7


@pytest.fixture
def owner(make_owner: Callable[[], int], release_budget: Callable[[], int]) -> int:
    release_budget()
    return make_owner()


def checked_in(database: Database, clock: ManualClock, owner: int) -> int:
    with database.transaction() as session:
        return check_in(session, clock, owner).reward


def test_the_first_check_in_pays_the_base_reward(
    database: Database, clock: ManualClock, owner: int
) -> None:
    assert checked_in(database, clock, owner) == BASE
    with database.session() as session:
        assert balance_of(session, owner_account(owner)) == BASE
        assert current_streak(session, clock, owner) == 1


def test_a_second_check_in_the_same_day_is_refused(
    database: Database, clock: ManualClock, owner: int, snapshot: Callable[[], object]
) -> None:
    checked_in(database, clock, owner)
    clock.advance(DAY - 1)  # 23:59:59, still the same UTC day
    before = snapshot()
    with pytest.raises(AlreadyCheckedIn) as raised:
        checked_in(database, clock, owner)
    assert raised.value.code == "already_checked_in"
    assert snapshot() == before


def test_consecutive_days_build_a_capped_streak(
    database: Database, clock: ManualClock, owner: int, release_budget: Callable[[], int]
) -> None:
    rewards = []
    for _ in range(CAP + 3):
        release_budget()
        rewards.append(checked_in(database, clock, owner))
        clock.advance(DAY)
    assert rewards == [BASE + BONUS * min(day, CAP) for day in range(CAP + 3)]


def test_a_missed_day_resets_the_streak(database: Database, clock: ManualClock, owner: int) -> None:
    assert checked_in(database, clock, owner) == BASE
    clock.advance(DAY)
    assert checked_in(database, clock, owner) == BASE + BONUS
    clock.advance(2 * DAY)
    with database.session() as session:
        assert current_streak(session, clock, owner) == 0
    assert checked_in(database, clock, owner) == BASE


def test_a_launch_day_check_in_is_paid_before_any_settlement(
    database: Database, clock: ManualClock, make_owner: Callable[[], int]
) -> None:
    """Epoch 0's activity budget is released as the epoch opens, not when it is settled."""
    assert checked_in(database, clock, make_owner()) == BASE


def test_with_the_released_budget_spent_a_check_in_waits(
    database: Database,
    clock: ManualClock,
    make_owner: Callable[[], int],
    exhaust_budget: Callable[[], None],
    snapshot: Callable[[], object],
) -> None:
    owner = make_owner()
    exhaust_budget()
    before = snapshot()
    with pytest.raises(ActivityBudgetExhausted):
        checked_in(database, clock, owner)
    assert snapshot() == before


def test_a_revoked_owner_cannot_check_in(
    database: Database, clock: ManualClock, owner: int
) -> None:
    with database.transaction() as session:
        revoke_owner(session, clock, owner, "fraud")
    with pytest.raises(OwnerRevoked) as raised:
        checked_in(database, clock, owner)
    assert raised.value.code == "owner_revoked"


def test_an_unknown_owner_cannot_check_in(
    database: Database, clock: ManualClock, program: Program
) -> None:
    with pytest.raises(UnknownOwner):
        checked_in(database, clock, 999)
