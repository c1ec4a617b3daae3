"""Balances carried forward and the cumulative totals: conservation and the schedule's bounds."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from milestone.rules.epoch_state import (
    CumulativeTotals,
    calculate_mining_totals,
    carry_forward,
    check_totals,
)
from milestone.rules.errors import MiningTotalsMismatch, NegativeBalance
from milestone.rules.params import get_preset

MINIMAL = get_preset("minimal")
addresses = st.binary(min_size=20, max_size=20)


@settings(max_examples=60)
@given(
    previous=st.dictionaries(addresses, st.integers(0, 10**12), max_size=8),
    rewards=st.dictionaries(addresses, st.integers(1, 10**12), max_size=8),
    earned=st.dictionaries(addresses, st.integers(0, 10**9), max_size=8),
)
def test_carry_forward_is_previous_plus_reward_plus_flows(
    previous: dict[bytes, int], rewards: dict[bytes, int], earned: dict[bytes, int]
) -> None:
    flows = {a: {"activity.checkin": amount} for a, amount in earned.items() if amount}
    balances = carry_forward(previous, [], rewards, flows)
    assert set(balances) == set(previous) | set(rewards) | set(flows)
    for account, balance in balances.items():
        expected = previous.get(account, 0) + rewards.get(account, 0)
        assert balance == expected + sum(flows.get(account, {}).values())
    assert sum(balances.values()) == sum(previous.values()) + sum(rewards.values()) + sum(
        earned.values()
    )


def test_carry_forward_follows_a_moved_address_and_keeps_spent_accounts() -> None:
    old, new, spender = b"\x01" * 20, b"\x02" * 20, b"\x03" * 20
    balances = carry_forward({old: 7, spender: 5}, [(old, new)], {new: 3}, {spender: {"order": -5}})
    assert balances == {new: 10, spender: 0}


def test_carry_forward_refuses_to_go_below_zero() -> None:
    with pytest.raises(NegativeBalance) as refused:
        carry_forward({b"\x01" * 20: 1}, [], {}, {b"\x01" * 20: {"order": -2}})
    assert refused.value.code == "negative_balance"


def test_mining_totals_add_up_to_the_release_or_are_refused() -> None:
    assert calculate_mining_totals(MINIMAL, 0, 0, MINIMAL.mining.initial_per_epoch, 0) == (
        MINIMAL.mining.initial_per_epoch
    )
    with pytest.raises(MiningTotalsMismatch) as refused:
        calculate_mining_totals(MINIMAL, 0, 0, 1, 0)
    assert refused.value.code == "mining_totals_mismatch"


def test_check_totals_names_each_breach() -> None:
    fine = CumulativeTotals(MINIMAL.mining.initial_per_epoch, 0, 0, 0)
    assert check_totals(MINIMAL, 0, fine) == []
    over = CumulativeTotals(MINIMAL.mining.initial_per_epoch + 1, 0, 0, 0)
    assert "mining release" in check_totals(MINIMAL, 0, over)[0]
    activity = CumulativeTotals(0, MINIMAL.activity.initial_per_epoch + 1, 0, 0)
    assert "activity release" in check_totals(MINIMAL, 0, activity)[0]
    burned = CumulativeTotals(1, 0, 2, 0)
    assert "burned" in check_totals(MINIMAL, 0, burned)[0]
