"""The dividend split by largest remainder."""

from __future__ import annotations

from fractions import Fraction

import pytest
from hypothesis import given
from hypothesis import strategies as st

from milestone.rules import errors
from milestone.rules.dividends import split_dividend

A, B, C = b"\x0a" * 20, b"\x0b" * 20, b"\x0c" * 20


def test_an_even_split() -> None:
    assert split_dividend(300, {A: 1, B: 1, C: 1}) == {A: 100, B: 100, C: 100}


def test_leftover_goes_to_the_largest_remainders() -> None:
    # Exact shares 1/6·100 = 16.67, 2/6·100 = 33.33, 3/6·100 = 50: the fen left goes to A.
    assert split_dividend(100, {A: 1, B: 2, C: 3}) == {A: 17, B: 33, C: 50}


def test_ties_go_by_address_ascending() -> None:
    assert split_dividend(100, {C: 1, B: 1, A: 1}) == {A: 34, B: 33, C: 33}


def test_zero_balances_get_nothing() -> None:
    assert split_dividend(10, {A: 0, B: 5}) == {B: 10}


def test_bad_dividends_are_refused() -> None:
    with pytest.raises(errors.NoHolders) as raised:
        split_dividend(10, {A: 0})
    assert raised.value.code == "no_holders"
    with pytest.raises(errors.AmountNegative):
        split_dividend(-1, {A: 1})
    with pytest.raises(errors.AmountNegative):
        split_dividend(1, {A: -1, B: 2})


balances = st.dictionaries(
    st.binary(min_size=20, max_size=20), st.integers(0, 3 * 10**16), min_size=1, max_size=40
).filter(lambda b: any(b.values()))


@given(st.integers(0, 10**13), balances)
def test_shares_sum_exactly_and_stay_within_one_fen(amount: int, holders: dict[bytes, int]) -> None:
    shares = split_dividend(amount, holders)
    assert sum(shares.values()) == amount
    circulating = sum(holders.values())
    for holder, balance in holders.items():
        exact = Fraction(amount * balance, circulating)
        share = shares.get(holder, 0)
        assert exact - 1 < share < exact + 1
        if balance == 0:
            assert holder not in shares


@given(st.integers(0, 10**9), balances)
def test_the_split_is_deterministic(amount: int, holders: dict[bytes, int]) -> None:
    reversed_holders = dict(reversed(list(holders.items())))
    assert split_dividend(amount, holders) == split_dividend(amount, reversed_holders)
