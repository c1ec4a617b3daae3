"""The unlock schedule: when locked stones become spendable, agreeing with the spend lock."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from milestone.rules.store import (
    Earning,
    Unlock,
    calculate_spendable,
    calculate_unlock_schedule,
)

NOW = 1_000_000


def test_each_unlock_is_what_becomes_spendable_then() -> None:
    earnings = [Earning(30, NOW + 10), Earning(50, NOW + 20), Earning(5, None)]
    assert calculate_unlock_schedule(100, earnings, NOW) == [
        Unlock(NOW + 10, 30), Unlock(NOW + 20, 50), Unlock(None, 5),
    ]


def test_earnings_already_spent_unlock_nothing() -> None:
    # 60 held of 80 earned, all locked: the first 20 to unlock were the stones spent.
    earnings = [Earning(30, NOW + 10), Earning(50, NOW + 20)]
    assert calculate_unlock_schedule(60, earnings, NOW) == [Unlock(NOW + 10, 10),
                                                            Unlock(NOW + 20, 50)]


def test_nothing_locked_means_no_schedule() -> None:
    assert calculate_unlock_schedule(100, [Earning(30, NOW - 1)], NOW) == []


earning = st.builds(
    Earning, st.integers(0, 10**12),
    st.one_of(st.none(), st.integers(NOW - 100, NOW + 10**6)),
)


@given(balance=st.integers(0, 10**13), earnings=st.lists(earning, max_size=8))
def test_the_steps_add_up_to_what_is_locked_now(balance: int, earnings: list[Earning]) -> None:
    schedule = calculate_unlock_schedule(balance, earnings, NOW)
    locked = balance - calculate_spendable(balance, earnings, NOW)
    assert sum(step.amount for step in schedule) == locked
    assert all(step.amount > 0 for step in schedule)
    timed = [step.at for step in schedule if step.at is not None]
    assert timed == sorted(timed) and all(at > NOW for at in timed)
    assert all(step.at is not None for step in schedule[:-1])
    for step in schedule:
        if step.at is not None:
            assert calculate_spendable(balance, earnings, step.at) <= balance
