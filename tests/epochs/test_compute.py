"""The shared computation: budgets, drops, rewards, carry-forward, totals; its invariants as
properties, and the statistical test that mined stones track the distance driven."""

from __future__ import annotations

import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from milestone.epochs.compute import (
    BALANCE_LEAF,
    EMPTY_ROOT,
    WEIGHTS_LEAF,
    CumulativeTotals,
    EpochBudget,
    NegativeBalance,
    calculate_account_root,
    calculate_budget,
    calculate_mining_totals,
    calculate_weights_root,
    carry_forward,
    check_totals,
    run_drops,
    sum_rewards,
    weight_rows,
)
from milestone.epochs.errors import SettlementError
from milestone.rules.hashing import keccak256
from milestone.rules.merkle import StandardMerkleTree
from milestone.rules.params import get_preset
from milestone.rules.schedule import calculate_cumulative_release, calculate_epoch_budget
from milestone.rules.units import PEBBLES_PER_STONE

MINIMAL = get_preset("minimal")
IM = get_preset("im-csop")
SEED = keccak256(b"seed")

addresses = st.binary(min_size=20, max_size=20)
round_weights = st.dictionaries(
    st.integers(0, MINIMAL.rounds_per_epoch - 1),
    st.dictionaries(addresses, st.integers(0, 10**9), max_size=5),
    max_size=MINIMAL.rounds_per_epoch,
)


def test_the_budget_adds_the_rollover_and_splits_into_rounds() -> None:
    budget = calculate_budget(IM, 0, 1_000)
    assert budget.scheduled == IM.mining.initial_per_epoch
    assert budget.total == IM.mining.initial_per_epoch + 1_000
    assert len(budget.rounds) == 144 and sum(budget.rounds) == budget.total
    assert budget.rounds[-1] - budget.rounds[0] == budget.total % 144


@settings(max_examples=60)
@given(weights=round_weights, rollover=st.integers(0, 10**12), epoch=st.integers(0, 40))
def test_drops_pay_the_budget_exactly_or_roll_it_over(
    weights: dict[int, dict[bytes, int]], rollover: int, epoch: int
) -> None:
    budget = calculate_budget(MINIMAL, epoch, rollover)
    drops = run_drops(SEED, budget, MINIMAL.drop_size, weights)
    assert drops.paid + drops.rollover_out == budget.total
    for round_index, won in drops.by_round.items():
        assert sum(won.values()) == budget.rounds[round_index]
        assert set(won) <= {a for a, w in weights[round_index].items() if w > 0}
    idle = [r for r in range(MINIMAL.rounds_per_epoch) if not any(weights.get(r, {}).values())]
    assert drops.rollover_out == sum(budget.rounds[r] for r in idle)
    assert sum(sum_rewards(drops.by_round).values()) == drops.paid


@settings(max_examples=30)
@given(driving=st.lists(st.lists(st.booleans(), min_size=4, max_size=4), min_size=1, max_size=14))
def test_mined_plus_rollover_always_equals_the_schedule(driving: list[list[bool]]) -> None:
    """Over any pattern of idle rounds, nothing is lost or created across epochs and eras."""
    cum_mined, rollover = 0, 0
    for epoch, rounds in enumerate(driving):
        weights = {r: {b"\x01" * 20: 5} for r, drove in enumerate(rounds) if drove}
        budget = calculate_budget(MINIMAL, epoch, rollover)
        drops = run_drops(keccak256(epoch.to_bytes(32)), budget, MINIMAL.drop_size, weights)
        cum_mined = calculate_mining_totals(
            MINIMAL, epoch, cum_mined, drops.paid, drops.rollover_out
        )
        rollover = drops.rollover_out
        assert cum_mined <= calculate_cumulative_release(MINIMAL.mining, epoch)


def test_mining_totals_refuse_a_budget_that_does_not_add_up() -> None:
    with pytest.raises(SettlementError):
        calculate_mining_totals(MINIMAL, 0, 0, 1, 0)


def test_weights_root_is_zero_without_driving_and_skips_zero_weights() -> None:
    assert calculate_weights_root({}) == (EMPTY_ROOT, 0)
    assert calculate_weights_root({0: {b"\x01" * 20: 0}}) == (EMPTY_ROOT, 0)
    assert weight_rows({2: {b"\x02" * 20: 3, b"\x01" * 20: 4}, 0: {b"\x03" * 20: 1}}) == [
        (0, b"\x03" * 20, 1), (2, b"\x01" * 20, 4), (2, b"\x02" * 20, 3),
    ]  # fmt: skip


def test_weights_root_depends_on_every_weight() -> None:
    root, total = calculate_weights_root({1: {b"\x01" * 20: 10, b"\x02" * 20: 20}})
    changed, _ = calculate_weights_root({1: {b"\x01" * 20: 11, b"\x02" * 20: 20}})
    moved, _ = calculate_weights_root({2: {b"\x01" * 20: 10, b"\x02" * 20: 20}})
    assert total == 30 and len({root, changed, moved}) == 3


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


def test_account_root_is_order_free_and_zero_when_empty() -> None:
    a, b = b"\x01" * 20, b"\x02" * 20
    assert calculate_account_root({}, BALANCE_LEAF) == EMPTY_ROOT
    assert calculate_account_root({a: 1, b: 2}, BALANCE_LEAF) == calculate_account_root(
        {b: 2, a: 1}, BALANCE_LEAF
    )


def test_check_totals_names_each_breach() -> None:
    fine = CumulativeTotals(MINIMAL.mining.initial_per_epoch, 0, 0, 0)
    assert check_totals(MINIMAL, 0, fine) == []
    over = CumulativeTotals(MINIMAL.mining.initial_per_epoch + 1, 0, 0, 0)
    assert "mining release" in check_totals(MINIMAL, 0, over)[0]
    activity = CumulativeTotals(0, MINIMAL.activity.initial_per_epoch + 1, 0, 0)
    assert "activity release" in check_totals(MINIMAL, 0, activity)[0]
    burned = CumulativeTotals(1, 0, 2, 0)
    assert "burned" in check_totals(MINIMAL, 0, burned)[0]


def test_mined_stones_track_the_distance_share_over_many_epochs() -> None:
    """
    Five drivers with fixed, unequal distances, 250 epochs of 144 rounds of the im-csop preset,
    seeds from the epoch number: each driver's mined stones stay within four standard deviations
    of their distance share of everything mined.

    Drops of one stone are independent draws with success probability p_i = w_i / W, so a
    driver's count over n drops has mean n·p_i and variance n·p_i·(1 - p_i).
    """
    distances = {bytes([i]) * 20: meters for i, meters in enumerate((1, 2, 5, 12, 30), start=1)}
    weights = {r: distances for r in range(IM.rounds_per_epoch)}
    mined = dict.fromkeys(distances, 0)
    drops = 0
    for epoch in range(250):
        budget = EpochBudget(
            calculate_epoch_budget(IM.mining, epoch),
            0,
            tuple([IM.drop_size] * IM.rounds_per_epoch),
        )  # one drop per round: 36,000 independent draws, fast
        result = run_drops(keccak256(epoch.to_bytes(32)), budget, IM.drop_size, weights)
        for account, amount in sum_rewards(result.by_round).items():
            mined[account] += amount // PEBBLES_PER_STONE
        drops += IM.rounds_per_epoch
    total = sum(distances.values())
    for account, meters in distances.items():
        p = meters / total
        deviation = abs(mined[account] - drops * p) / math.sqrt(drops * p * (1 - p))
        assert deviation < 4, (account.hex(), mined[account], drops * p)
    shares = [mined[a] / drops for a in sorted(distances, key=distances.__getitem__)]
    assert shares == sorted(shares)


@settings(max_examples=40)
@given(
    balances=st.dictionaries(addresses, st.integers(0, 2**64), max_size=40),
    weights=round_weights,
)
def test_the_roots_are_openzeppelins(
    balances: dict[bytes, int], weights: dict[int, dict[bytes, int]]
) -> None:
    """The root-only computation gives `StandardMerkleTree.of`'s root, which OZ's library
    reproduces (tests/rules/test_merkle.py)."""
    if balances:
        tree = StandardMerkleTree.of(sorted(balances.items()), BALANCE_LEAF)
        assert calculate_account_root(balances, BALANCE_LEAF) == tree.root
    rows = weight_rows(weights)
    expected = StandardMerkleTree.of(rows, WEIGHTS_LEAF).root if rows else EMPTY_ROOT
    assert calculate_weights_root(weights)[0] == expected
