"""Check-in streaks and rewards, the referral cap and vesting, the signed delivery encoding."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from milestone.rules.activities import (
    DELIVERY_DOMAIN,
    InvalidConfirmation,
    InvalidReward,
    InvalidStreak,
    calculate_checkin_reward,
    calculate_streak,
    calculate_vesting_instant,
    encode_delivery_confirmation,
    is_within_yearly_cap,
    year_of,
)

VIN = "LSJA24U69MG000001"


def test_the_first_check_in_starts_a_streak() -> None:
    assert calculate_streak(None, 0, 5) == 1


def test_consecutive_days_extend_the_streak() -> None:
    assert calculate_streak(5, 3, 6) == 4


def test_a_missed_day_resets_the_streak() -> None:
    assert calculate_streak(5, 3, 7) == 1


def test_a_second_check_in_the_same_day_is_not_a_streak() -> None:
    with pytest.raises(InvalidStreak) as raised:
        calculate_streak(5, 3, 5)
    assert raised.value.code == "invalid_streak"
    with pytest.raises(InvalidStreak):
        calculate_streak(5, 3, 4)
    with pytest.raises(InvalidStreak):
        calculate_streak(None, -1, 4)


def test_the_reward_grows_with_the_streak_up_to_the_cap() -> None:
    rewards = [calculate_checkin_reward(streak, 100, 10, 3) for streak in range(1, 7)]
    assert rewards == [100, 110, 120, 130, 130, 130]


def test_a_zero_bonus_pays_the_base_every_day() -> None:
    assert calculate_checkin_reward(50, 100, 0, 7) == 100


def test_impossible_rewards_are_refused() -> None:
    with pytest.raises(InvalidStreak):
        calculate_checkin_reward(0, 100, 10, 3)
    with pytest.raises(InvalidReward) as raised:
        calculate_checkin_reward(1, 0, 10, 3)
    assert raised.value.code == "invalid_reward"
    with pytest.raises(InvalidReward):
        calculate_checkin_reward(3, 2**62, 2**62, 3)


@given(st.lists(st.integers(1, 3), min_size=1, max_size=40))
def test_the_streak_counts_the_run_of_consecutive_days(gaps: list[int]) -> None:
    day, streak, previous = 0, 0, None
    run = 0
    for gap in gaps:
        day += gap
        streak = calculate_streak(previous, streak, day)
        run = run + 1 if gap == 1 and previous is not None else 1
        previous = day
        assert streak == run
        assert 100 <= calculate_checkin_reward(streak, 100, 7, 5) <= 100 + 7 * 5


def test_the_yearly_cap_allows_exactly_cap_rewards() -> None:
    assert is_within_yearly_cap(2, 3)
    assert not is_within_yearly_cap(3, 3)
    with pytest.raises(InvalidReward):
        is_within_yearly_cap(-1, 3)


def test_years_are_utc_calendar_years() -> None:
    assert year_of(1_767_225_599) == 2025  # 2025-12-31T23:59:59Z
    assert year_of(1_767_225_600) == 2026


def test_vesting_counts_whole_days_from_delivery() -> None:
    assert calculate_vesting_instant(1_000, 0) == 1_000
    assert calculate_vesting_instant(1_000, 30) == 1_000 + 30 * 86_400
    with pytest.raises(InvalidReward):
        calculate_vesting_instant(1_000, -1)


def test_the_delivery_encoding_is_fixed_byte_for_byte() -> None:
    encoded = encode_delivery_confirmation("SO-1", VIN, 7, 1_767_225_600)
    assert encoded == (
        DELIVERY_DOMAIN + b"\x04SO-1" + VIN.encode() + (7).to_bytes(8, "big")
        + (1_767_225_600).to_bytes(8, "big")
    )
    assert encoded.hex() == (
        "6d696c6573746f6e652f726566657272616c2d64656c69766572792f763100"
        "04534f2d31" "4c534a4132345536394d47303030303031"
        "0000000000000007" "000000006955b900"
    )


@given(
    st.text(min_size=1, max_size=16), st.text(min_size=1, max_size=16),
    st.integers(1, 2**64 - 1), st.integers(1, 2**64 - 1),
)
def test_different_confirmations_encode_differently(
    order_a: str, order_b: str, buyer_a: int, buyer_b: int
) -> None:
    a = encode_delivery_confirmation(order_a, VIN, buyer_a, 0)
    b = encode_delivery_confirmation(order_b, VIN, buyer_b, 0)
    assert (a == b) == (order_a == order_b and buyer_a == buyer_b)


@pytest.mark.parametrize(
    ("order_id", "vin", "buyer", "instant"),
    [
        ("", VIN, 1, 0),
        ("x" * 65, VIN, 1, 0),
        ("SO-1", VIN[:-1], 1, 0),
        ("SO-1", "Ä" * 17, 1, 0),
        ("SO-1", VIN, 0, 0),
        ("SO-1", VIN, 2**64, 0),
        ("SO-1", VIN, 1, -1),
    ],
)
def test_unencodable_confirmations_are_refused(
    order_id: str, vin: str, buyer: int, instant: int
) -> None:
    with pytest.raises(InvalidConfirmation) as raised:
        encode_delivery_confirmation(order_id, vin, buyer, instant)
    assert raised.value.code == "invalid_confirmation"

