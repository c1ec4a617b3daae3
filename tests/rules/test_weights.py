"""Weights: the behaviour multiplier and the per-vehicle, per-epoch cap applied in round order."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from milestone.rules import errors
from milestone.rules.weights import (
    BehaviourSummary,
    calculate_behaviour_multiplier,
    calculate_round_weights,
)

ALICE = bytes.fromhex("aa" * 20)
BOB = bytes.fromhex("bb" * 20)


def test_careful_driving_earns_the_maximum() -> None:
    assert calculate_behaviour_multiplier(BehaviourSummary(50_000, 0, 0, 0)) == 12_000


def test_harsh_events_and_speeding_lower_the_multiplier_per_100_km() -> None:
    # One harsh brake over 100 km costs 500 bps; over 200 km it costs half that.
    assert calculate_behaviour_multiplier(BehaviourSummary(100_000, 1, 0, 0)) == 11_500
    assert calculate_behaviour_multiplier(BehaviourSummary(200_000, 0, 1, 0)) == 11_750
    # Two minutes of speeding over 100 km cost 200 bps.
    assert calculate_behaviour_multiplier(BehaviourSummary(100_000, 0, 0, 120)) == 11_800


def test_the_multiplier_never_drops_below_one() -> None:
    assert calculate_behaviour_multiplier(BehaviourSummary(1_000, 40, 40, 9_999)) == 10_000


def test_the_penalty_rounds_up() -> None:
    # One event over 300 km is 166.67 bps of penalty: charged as 167.
    assert calculate_behaviour_multiplier(BehaviourSummary(300_000, 1, 0, 0)) == 11_833


def test_no_distance_earns_the_minimum() -> None:
    assert calculate_behaviour_multiplier(BehaviourSummary(0, 0, 0, 0)) == 10_000


def test_bad_summaries_are_refused() -> None:
    with pytest.raises(errors.InvalidWeight):
        calculate_behaviour_multiplier(BehaviourSummary(1_000, -1, 0, 0))
    with pytest.raises(errors.InvalidWeight):
        calculate_behaviour_multiplier(BehaviourSummary(1_000, 0, 0, 0), 12_000, 11_000)


@given(st.integers(0, 10**7), st.integers(0, 100), st.integers(0, 100), st.integers(0, 10**5))
def test_the_multiplier_stays_in_bounds(
    meters: int, brakes: int, accels: int, speeding: int
) -> None:
    bps = calculate_behaviour_multiplier(BehaviourSummary(meters, brakes, accels, speeding))
    assert 10_000 <= bps <= 12_000


def test_weight_is_meters_times_multiplier_rounded_down() -> None:
    weights = calculate_round_weights(
        {"v1": {3: 1_001}}, {"v1": {3: 11_999}}, {"v1": {3: ALICE}}, cap=10**6
    )
    assert weights == {3: {ALICE: 1_001 * 11_999 // 10_000}}


def test_no_consent_means_no_multiplier() -> None:
    weights = calculate_round_weights(
        {"v1": {0: 500}, "v2": {0: 500}},
        {"v1": {0: None}},
        {"v1": {0: ALICE}, "v2": {0: BOB}},
        10**6,
    )
    assert weights == {0: {ALICE: 500, BOB: 500}}


def test_the_cap_counts_the_first_meters_of_the_epoch() -> None:
    meters = {"v1": {5: 600, 1: 300, 9: 400}}
    owners = {"v1": {1: ALICE, 5: ALICE, 9: ALICE}}
    weights = calculate_round_weights(meters, {}, owners, cap=1_000)
    assert weights == {1: {ALICE: 300}, 5: {ALICE: 600}, 9: {ALICE: 100}}


def test_an_account_owning_two_vehicles_gets_both_weights() -> None:
    meters = {"v1": {0: 100}, "v2": {0: 250}}
    owners = {"v1": {0: ALICE}, "v2": {0: ALICE}}
    assert calculate_round_weights(meters, {}, owners, cap=10**6) == {0: {ALICE: 350}}


def test_the_owner_at_the_time_of_driving_is_credited() -> None:
    meters = {"v1": {0: 100, 1: 100}}
    owners = {"v1": {0: ALICE, 1: BOB}}
    assert calculate_round_weights(meters, {}, owners, cap=10**6) == {
        0: {ALICE: 100},
        1: {BOB: 100},
    }


@pytest.mark.parametrize(
    ("meters", "multipliers", "owners", "error"),
    [
        ({"v": {0: 10}}, {}, {}, errors.MissingOwner),
        ({"v": {0: 10}}, {}, {"v": {0: b"short"}}, errors.InvalidAddress),
        ({"v": {0: -1}}, {}, {"v": {0: ALICE}}, errors.InvalidWeight),
        ({"v": {0: 10}}, {"v": {0: 0}}, {"v": {0: ALICE}}, errors.InvalidWeight),
    ],
)
def test_bad_weight_inputs_are_refused(
    meters: dict[str, dict[int, int]],
    multipliers: dict[str, dict[int, int | None]],
    owners: dict[str, dict[int, bytes]],
    error: type[Exception],
) -> None:
    with pytest.raises(error):
        calculate_round_weights(meters, multipliers, owners, cap=1_000)


rounds = st.dictionaries(st.integers(0, 143), st.integers(0, 500_000), max_size=20)


@settings(deadline=None)  # wall-clock limits flake on a shared 2-core machine
@given(st.dictionaries(st.integers(0, 20), rounds, max_size=8), st.integers(0, 10**6))
def test_the_cap_holds_per_vehicle_per_epoch(fleet: dict[int, dict[int, int]], cap: int) -> None:
    # One owner per vehicle, so each account's total weight is its vehicle's counted meters.
    owners = {v: {r: bytes([v]) * 20 for r in by_round} for v, by_round in fleet.items()}
    weights = calculate_round_weights(fleet, {}, owners, cap)
    for vehicle, by_round in fleet.items():
        counted = sum(w.get(bytes([vehicle]) * 20, 0) for w in weights.values())
        assert counted == min(cap, sum(by_round.values()))
    assert all(weight > 0 for in_round in weights.values() for weight in in_round.values())
