"""Releasing the activity budget epoch by epoch, and paying from it."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from milestone.activities.budget import (
    pay_from_budget,
    release_activity_budget,
    release_opened_budgets,
    released_budget,
    releases,
)
from milestone.activities.errors import (
    ActivityBudgetExhausted,
    EpochNotBegun,
    ReleaseConflict,
    ReleaseExceedsSchedule,
)
from milestone.clock import ManualClock
from milestone.ledger import ACTIVITY_RESERVE, balance_of, owner_account
from milestone.program.service import Program
from milestone.storage import Database

DAY = 86_400

EPOCH_BUDGET = 6_250_000_000
"""The minimal preset's activity budget per epoch in era 0: 500 stones / 2 / 4 epochs."""


def test_a_release_moves_the_reserve_into_the_budget(
    database: Database, clock: ManualClock, program: Program
) -> None:
    with database.transaction() as session:
        release = release_activity_budget(session, clock, 0, EPOCH_BUDGET)
    assert release.amount == EPOCH_BUDGET and release.entry_seq is not None
    with database.session() as session:
        assert released_budget(session) == EPOCH_BUDGET
        assert (
            balance_of(session, ACTIVITY_RESERVE) == program.parameters.activity.pool - EPOCH_BUDGET
        )


def test_releasing_an_epoch_again_changes_nothing(
    database: Database, clock: ManualClock, program: Program
) -> None:
    for _ in range(2):
        with database.transaction() as session:
            release_activity_budget(session, clock, 0, EPOCH_BUDGET)
    with database.session() as session:
        assert released_budget(session) == EPOCH_BUDGET
        assert [r.epoch for r in releases(session)] == [0]


def test_a_second_release_with_another_amount_is_refused(
    database: Database, clock: ManualClock, program: Program, snapshot: Callable[[], object]
) -> None:
    with database.transaction() as session:
        release_activity_budget(session, clock, 0, EPOCH_BUDGET)
    before = snapshot()
    with pytest.raises(ReleaseConflict) as raised, database.transaction() as session:
        release_activity_budget(session, clock, 0, EPOCH_BUDGET - 1)
    assert raised.value.code == "release_conflict"
    assert snapshot() == before


def test_a_release_beyond_the_schedule_is_refused(
    database: Database, clock: ManualClock, program: Program, snapshot: Callable[[], object]
) -> None:
    before = snapshot()
    with pytest.raises(ReleaseExceedsSchedule) as raised, database.transaction() as session:
        release_activity_budget(session, clock, 0, EPOCH_BUDGET + 1)
    assert raised.value.code == "release_exceeds_schedule"
    assert snapshot() == before


def test_later_eras_release_half(database: Database, clock: ManualClock, program: Program) -> None:
    clock.advance(5 * DAY)  # epochs 4 and 5: the second era of the minimal preset
    with database.transaction() as session:
        release_activity_budget(session, clock, 4, EPOCH_BUDGET // 2)
    with pytest.raises(ReleaseExceedsSchedule), database.transaction() as session:
        release_activity_budget(session, clock, 5, EPOCH_BUDGET // 2 + 1)


def test_a_future_epoch_cannot_be_released(
    database: Database, clock: ManualClock, program: Program
) -> None:
    with pytest.raises(EpochNotBegun) as raised, database.transaction() as session:
        release_activity_budget(session, clock, 1, EPOCH_BUDGET)
    assert raised.value.code == "epoch_not_begun"


def test_an_epoch_may_release_nothing(
    database: Database, clock: ManualClock, program: Program
) -> None:
    with database.transaction() as session:
        release = release_activity_budget(session, clock, 0, 0)
    assert release.entry_seq is None
    with database.session() as session:
        assert released_budget(session) == 0


def test_paying_more_than_released_is_refused(
    database: Database,
    clock: ManualClock,
    make_owner: Callable[[], int],
    release_budget: Callable[[], int],
    snapshot: Callable[[], object],
) -> None:
    owner = make_owner()
    release_budget()
    before = snapshot()
    with pytest.raises(ActivityBudgetExhausted) as raised, database.transaction() as session:
        pay_from_budget(session, clock, "activity.test", "k1", {owner: EPOCH_BUDGET + 1}, {})
    assert raised.value.code == "activity_budget_exhausted"
    assert snapshot() == before
    with database.transaction() as session:
        pay_from_budget(session, clock, "activity.test", "k1", {owner: EPOCH_BUDGET}, {})
    with database.session() as session:
        assert balance_of(session, owner_account(owner)) == EPOCH_BUDGET
        assert released_budget(session) == 0


def test_the_first_payment_of_an_epoch_releases_every_opened_epoch(
    database: Database, clock: ManualClock, program: Program, make_owner: Callable[[], int]
) -> None:
    """Launch day pays: nothing was released before epoch 0 was settled, and now the first
    check-in of an epoch releases its share (and that of any epoch that opened unnoticed)."""
    owner = make_owner()
    with database.transaction() as session:
        pay_from_budget(session, clock, "activity.test", "day0", {owner: 1}, {})
    clock.advance(2 * DAY)
    with database.transaction() as session:
        pay_from_budget(session, clock, "activity.test", "day2", {owner: 1}, {})
    with database.session() as session:
        assert [(r.epoch, r.amount) for r in releases(session)] == [
            (0, EPOCH_BUDGET), (1, EPOCH_BUDGET), (2, EPOCH_BUDGET),
        ]  # fmt: skip
        assert released_budget(session) == 3 * EPOCH_BUDGET - 2
    with database.transaction() as session:  # settlement's own release finds it done
        assert release_activity_budget(session, clock, 1, EPOCH_BUDGET).amount == EPOCH_BUDGET


def test_an_epoch_not_yet_open_is_not_released_early(
    database: Database, clock: ManualClock, program: Program, make_owner: Callable[[], int]
) -> None:
    owner = make_owner()
    clock.advance(DAY - 1)
    with pytest.raises(ActivityBudgetExhausted), database.transaction() as session:
        pay_from_budget(session, clock, "activity.test", "k", {owner: EPOCH_BUDGET + 1}, {})
    with database.transaction() as session:
        release_opened_budgets(session, clock)
    with database.session() as session:
        assert [r.epoch for r in releases(session)] == [0]
