"""The mining budget: round budgets in proportion to round weight (the rule in force), the
legacy fixed share per round, and the drops that pay them; every invariant as a property."""

from __future__ import annotations

import math
from fractions import Fraction

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from milestone.rules.epoch_state import calculate_mining_totals
from milestone.rules.errors import AmountNegative, InvalidRound, InvalidWeight
from milestone.rules.hashing import keccak256
from milestone.rules.mining import (
    EpochBudget,
    calculate_legacy_mining_budget,
    calculate_mining_budget,
    run_drops,
    split_budget_by_weight,
    sum_rewards,
    sum_round_weights,
)
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
budgets = st.integers(0, 10**17)
weight_lists = st.lists(st.integers(0, 10**12), min_size=1, max_size=144)


@settings(max_examples=200)
@given(budget=budgets, weights=weight_lists)
def test_round_budgets_sum_to_the_epoch_budget_exactly(budget: int, weights: list[int]) -> None:
    rounds = split_budget_by_weight(budget, weights)
    assert len(rounds) == len(weights)
    assert sum(rounds) == (budget if sum(weights) else 0)
    assert all(r >= 0 for r in rounds)


@settings(max_examples=200)
@given(budget=budgets, weights=weight_lists)
def test_no_round_budget_is_a_pebble_away_from_its_share(budget: int, weights: list[int]) -> None:
    rounds = split_budget_by_weight(budget, weights)
    total = sum(weights)
    for weight, got in zip(weights, rounds, strict=True):
        share = Fraction(budget * weight, total) if total else Fraction(0)
        assert share - 1 < got < share + 1
        assert weight > 0 or got == 0


@settings(max_examples=200)
@given(budget=budgets, weights=weight_lists)
def test_a_heavier_round_never_gets_less(budget: int, weights: list[int]) -> None:
    rounds = split_budget_by_weight(budget, weights)
    for i in range(len(weights)):
        for j in range(len(weights)):
            if weights[i] > weights[j]:
                assert rounds[i] >= rounds[j]


@settings(max_examples=200)
@given(budget=budgets, weight=st.integers(1, 10**12), count=st.integers(1, 144))
def test_equal_weights_get_budgets_within_one_pebble(budget: int, weight: int, count: int) -> None:
    rounds = split_budget_by_weight(budget, [weight] * count)
    assert max(rounds) - min(rounds) <= 1
    # The leftover goes to the lowest round indices when remainders tie.
    assert rounds == sorted(rounds, reverse=True)


def test_the_remainder_goes_by_largest_remainder_then_round_index() -> None:
    assert split_budget_by_weight(10, [1, 1, 1]) == [4, 3, 3]
    assert split_budget_by_weight(10, [1, 2, 0]) == [3, 7, 0]
    assert split_budget_by_weight(7, [0, 0]) == [0, 0]


def test_a_negative_budget_or_weight_is_refused() -> None:
    with pytest.raises(AmountNegative):
        split_budget_by_weight(-1, [1])
    with pytest.raises(InvalidWeight):
        split_budget_by_weight(1, [1, -1])
    with pytest.raises(InvalidRound):
        sum_round_weights(MINIMAL, {MINIMAL.rounds_per_epoch: {b"\x01" * 20: 1}})
    with pytest.raises(AmountNegative):
        calculate_mining_budget(MINIMAL, 0, -1, {})


@settings(max_examples=60, deadline=None)  # thousands of drops: slow under load
@given(rollover=st.integers(0, 10**12), epoch=st.integers(0, 40))
def test_an_empty_day_rolls_over_whole(rollover: int, epoch: int) -> None:
    budget = calculate_mining_budget(MINIMAL, epoch, rollover, {0: {b"\x01" * 20: 0}})
    assert budget.rounds == (0,) * MINIMAL.rounds_per_epoch
    drops = run_drops(SEED, budget, MINIMAL.drop_size, {})
    assert drops.paid == 0 and drops.rollover_out == budget.total


@settings(max_examples=60, deadline=None)  # thousands of drops: slow under load
@given(weights=round_weights, rollover=st.integers(0, 10**12), epoch=st.integers(0, 40))
def test_a_day_with_any_driving_pays_its_whole_budget(
    weights: dict[int, dict[bytes, int]], rollover: int, epoch: int
) -> None:
    budget = calculate_mining_budget(MINIMAL, epoch, rollover, weights)
    drops = run_drops(SEED, budget, MINIMAL.drop_size, weights)
    driven = any(w > 0 for in_round in weights.values() for w in in_round.values())
    assert drops.paid + drops.rollover_out == budget.total
    assert drops.rollover_out == (0 if driven else budget.total)
    for round_index, won in drops.by_round.items():
        assert sum(won.values()) == budget.rounds[round_index]
        assert set(won) <= {a for a, w in weights[round_index].items() if w > 0}
    assert sum(sum_rewards(drops.by_round).values()) == drops.paid


@settings(max_examples=60, deadline=None)  # thousands of drops: slow under load
@given(weights=round_weights, rollover=st.integers(0, 10**12), epoch=st.integers(0, 40))
def test_the_legacy_rule_rolls_over_the_rounds_nobody_drove(
    weights: dict[int, dict[bytes, int]], rollover: int, epoch: int
) -> None:
    budget = calculate_legacy_mining_budget(MINIMAL, epoch, rollover)
    assert len(budget.rounds) == MINIMAL.rounds_per_epoch and sum(budget.rounds) == budget.total
    drops = run_drops(SEED, budget, MINIMAL.drop_size, weights)
    idle = [r for r in range(MINIMAL.rounds_per_epoch) if not any(weights.get(r, {}).values())]
    assert drops.rollover_out == sum(budget.rounds[r] for r in idle)
    assert drops.paid + drops.rollover_out == budget.total


def test_the_legacy_budget_gives_each_round_a_fixed_share() -> None:
    budget = calculate_legacy_mining_budget(IM, 0, 1_000)
    assert budget.scheduled == IM.mining.initial_per_epoch
    assert budget.total == IM.mining.initial_per_epoch + 1_000
    assert budget.rounds[-1] - budget.rounds[0] == budget.total % 144


@settings(max_examples=30, deadline=None)
@given(
    driving=st.lists(st.lists(st.booleans(), min_size=4, max_size=4), min_size=1, max_size=14),
    legacy=st.booleans(),
)
def test_mined_plus_rollover_always_equals_the_schedule(
    driving: list[list[bool]], legacy: bool
) -> None:
    """Over any pattern of idle rounds, under either rule, nothing is lost or created."""
    cum_mined, rollover = 0, 0
    for epoch, rounds in enumerate(driving):
        weights = {r: {b"\x01" * 20: 5} for r, drove in enumerate(rounds) if drove}
        if legacy:
            budget = calculate_legacy_mining_budget(MINIMAL, epoch, rollover)
        else:
            budget = calculate_mining_budget(MINIMAL, epoch, rollover, weights)
        drops = run_drops(keccak256(epoch.to_bytes(32)), budget, MINIMAL.drop_size, weights)
        cum_mined = calculate_mining_totals(
            MINIMAL, epoch, cum_mined, drops.paid, drops.rollover_out
        )
        rollover = drops.rollover_out
        assert cum_mined <= calculate_cumulative_release(MINIMAL.mining, epoch)


def test_a_lone_night_trip_earns_what_a_rush_hour_trip_of_the_same_length_earns() -> None:
    """
    One car drives 10 km alone at 03:00 (round 18); at 08:00 (round 48) a car drives the same
    10 km among 50 others driving 10 km each. Under the rule each earns, in expectation, its
    round's budget times its weight over the round's weight: the same stones per weighted km.
    Under the legacy rule the lone car took its round's whole 1/144 of the day: 51 times more.
    """
    night, rush = b"\x01" * 20, b"\x02" * 20
    others = {bytes([3 + i]) * 20: 10_000 for i in range(50)}
    weights = {18: {night: 10_000}, 48: {rush: 10_000, **others}}
    budget = calculate_mining_budget(IM, 0, 0, weights)

    def expected(account: bytes, round_index: int) -> Fraction:
        in_round = weights[round_index]
        return Fraction(budget.rounds[round_index] * in_round[account], sum(in_round.values()))

    assert abs(expected(night, 18) - expected(rush, 48)) <= 1
    legacy = calculate_legacy_mining_budget(IM, 0, 0)
    legacy_night = Fraction(legacy.rounds[18])
    legacy_rush = Fraction(legacy.rounds[48] * 10_000, 510_000)
    assert legacy_night / legacy_rush == 51


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
