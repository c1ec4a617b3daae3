"""The dividend split by largest remainder."""

from __future__ import annotations

from fractions import Fraction

import pytest
from hypothesis import given
from hypothesis import strategies as st

from milestone.rules import errors
from milestone.rules.dividends import split_dividend, split_stake_dividend

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


@given(
    amount=st.integers(0, 10**14),
    balances=st.dictionaries(
        st.binary(min_size=20, max_size=20), st.integers(0, 10**12), min_size=1, max_size=20
    ),
    unissued=st.integers(0, 10**15),
)
def test_per_stone_holders_get_their_stones_share_and_the_issuer_the_rest(
    amount: int, balances: dict[bytes, int], unissued: int
) -> None:
    circulating = sum(balances.values())
    if circulating == 0:
        return
    supply = circulating + unissued
    shares, issuer = split_stake_dividend(amount, balances, supply)
    assert sum(shares.values()) + issuer == amount
    assert sum(shares.values()) == amount * circulating // supply
    assert issuer >= 0
    for holder, share in shares.items():
        # Within a fen above, and two below (the holders' total is itself rounded down).
        exact = Fraction(amount * balances[holder], supply)
        assert exact - 2 < share < exact + 1


def test_per_stone_with_every_stone_held_pays_the_holders_everything() -> None:
    shares, issuer = split_stake_dividend(100, {b"a": 1, b"b": 3}, 4)
    assert shares == {b"a": 25, b"b": 75} and issuer == 0


def test_per_stone_refuses_more_stones_held_than_the_supply() -> None:
    with pytest.raises(errors.AmountTooLarge):
        split_stake_dividend(100, {b"a": 5}, 4)
    with pytest.raises(errors.NoHolders):
        split_stake_dividend(100, {b"a": 0}, 4)
