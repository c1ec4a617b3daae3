"""Order totals, the transfer policy and the spend lock."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from milestone.rules.store import (
    DAY_SECONDS,
    Earning,
    InvalidSpend,
    calculate_locked,
    calculate_order_total,
    calculate_spendable,
    calculate_spendable_from,
    calculate_unlock_instant,
    is_transfer_allowed,
)

T0 = 1_767_225_600


def test_order_totals_multiply_exactly() -> None:
    assert calculate_order_total(250, 4) == 1_000
    assert calculate_order_total(0, 1) == 0  # a free item


@pytest.mark.parametrize(("price", "quantity"), [(-1, 1), (1, 0), (1, -2), (2**62, 2)])
def test_impossible_totals_are_refused(price: int, quantity: int) -> None:
    with pytest.raises(InvalidSpend) as raised:
        calculate_order_total(price, quantity)
    assert raised.value.code == "invalid_spend"


def test_the_transfer_policy() -> None:
    assert not is_transfer_allowed("none", allowlisted=True)
    assert is_transfer_allowed("allowlist", allowlisted=True)
    assert not is_transfer_allowed("allowlist", allowlisted=False)
    assert is_transfer_allowed("free", allowlisted=False)
    assert not is_transfer_allowed("bogus", allowlisted=True)


def test_stones_unlock_lock_days_after_earning_once_certified() -> None:
    assert calculate_unlock_instant(T0, 90, T0 - 5, True) == T0 + 90 * DAY_SECONDS


def test_a_late_certification_delays_the_unlock() -> None:
    late = T0 + 100 * DAY_SECONDS
    assert calculate_unlock_instant(T0, 90, late, True) == late


def test_an_uncertified_owner_waits_for_certification() -> None:
    assert calculate_unlock_instant(T0, 90, None, True) is None


def test_without_certification_required_only_the_days_count() -> None:
    assert calculate_unlock_instant(T0, 0, None, False) == T0


def test_vesting_can_delay_the_unlock_further() -> None:
    vests = T0 + 200 * DAY_SECONDS
    assert calculate_unlock_instant(T0, 90, T0, True, vests_at=vests) == vests
    assert calculate_unlock_instant(T0, 90, T0, True, vests_at=T0 + 1) == T0 + 90 * DAY_SECONDS


def test_negative_lock_days_are_refused() -> None:
    with pytest.raises(InvalidSpend):
        calculate_unlock_instant(T0, -1, T0, True)


def test_locked_earnings_are_set_aside_from_the_balance() -> None:
    earnings = [Earning(300, T0 + 10), Earning(200, T0 + 20), Earning(100, None)]
    assert calculate_locked(earnings, T0) == 600
    assert calculate_spendable(1_000, earnings, T0) == 400
    assert calculate_spendable(1_000, earnings, T0 + 10) == 700  # unlocked at that instant
    assert calculate_spendable(1_000, earnings, T0 + 20) == 900


def test_older_stones_are_spent_first() -> None:
    # 500 earned long ago and spent down to 150, then 200 earned recently: nothing spendable.
    assert calculate_spendable(350, [Earning(200, T0 + 10)], T0) == 150
    assert calculate_spendable(150, [Earning(200, T0 + 10)], T0) == 0


def test_the_first_instant_an_amount_becomes_spendable() -> None:
    earnings = [Earning(300, T0 + 10), Earning(200, T0 + 20), Earning(100, None)]
    assert calculate_spendable_from(1_000, earnings, 400, T0) == T0
    assert calculate_spendable_from(1_000, earnings, 401, T0) == T0 + 10
    assert calculate_spendable_from(1_000, earnings, 900, T0) == T0 + 20
    assert calculate_spendable_from(1_000, earnings, 901, T0) is None  # awaits certification
    assert calculate_spendable_from(1_000, earnings, 1_001, T0) is None  # more than the balance


def test_bad_spend_inputs_are_refused() -> None:
    with pytest.raises(InvalidSpend):
        calculate_spendable_from(10, [], 0, T0)
    with pytest.raises(InvalidSpend):
        calculate_spendable(-1, [], T0)
    with pytest.raises(InvalidSpend):
        calculate_spendable(5, [Earning(-1, None)], T0)


earnings_strategy = st.lists(
    st.builds(Earning, st.integers(0, 10**6), st.none() | st.integers(T0 - 50, T0 + 50)),
    max_size=12,
)


@given(st.integers(0, 10**7), earnings_strategy, st.integers(T0 - 60, T0 + 60), st.integers(1, 60))
def test_spendable_never_shrinks_as_time_passes(
    balance: int, earnings: list[Earning], now: int, step: int
) -> None:
    before = calculate_spendable(balance, earnings, now)
    assert 0 <= before <= balance
    assert calculate_spendable(balance, earnings, now + step) >= before


@given(
    st.integers(0, 10**7), earnings_strategy, st.integers(1, 10**7), st.integers(T0 - 60, T0 + 60)
)
def test_the_spendable_instant_is_the_first_that_works(
    balance: int, earnings: list[Earning], amount: int, now: int
) -> None:
    instant = calculate_spendable_from(balance, earnings, amount, now)
    if instant is None:
        assert calculate_spendable(balance, earnings, 2**40) < amount
        return
    assert instant >= now
    assert calculate_spendable(balance, earnings, instant) >= amount
    if instant > now:
        assert calculate_spendable(balance, earnings, instant - 1) < amount
