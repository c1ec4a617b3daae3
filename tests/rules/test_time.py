"""Epochs, rounds, and pro-rating a trip's distance over the rounds it spans."""

from __future__ import annotations

from fractions import Fraction

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from milestone.rules import errors
from milestone.rules.time import (
    RoundShare,
    epoch_of,
    epoch_start,
    prorate_distance,
    round_of,
    validate_genesis,
)

GENESIS = 1_767_225_600  # 2026-01-01T00:00:00Z
DAY = 86_400


def test_epochs_are_utc_days_from_genesis() -> None:
    assert epoch_of(GENESIS, GENESIS) == 0
    assert epoch_of(GENESIS + DAY - 1, GENESIS) == 0
    assert epoch_of(GENESIS + DAY, GENESIS) == 1
    assert epoch_start(3, GENESIS) == GENESIS + 3 * DAY


def test_rounds_are_ten_minutes() -> None:
    assert round_of(GENESIS, GENESIS) == (0, 0)
    assert round_of(GENESIS + 599, GENESIS) == (0, 0)
    assert round_of(GENESIS + 600, GENESIS) == (0, 1)
    assert round_of(GENESIS + DAY - 1, GENESIS) == (0, 143)
    assert round_of(GENESIS + DAY, GENESIS) == (1, 0)
    assert round_of(GENESIS + DAY + 3 * 21_600, GENESIS, rounds_per_epoch=4) == (1, 3)


def test_genesis_must_be_a_utc_midnight() -> None:
    validate_genesis(GENESIS)
    with pytest.raises(errors.GenesisNotMidnight) as raised:
        validate_genesis(GENESIS + 3_600)
    assert raised.value.code == "genesis_not_utc_midnight"
    with pytest.raises(errors.GenesisNotMidnight):
        epoch_of(GENESIS + 5, GENESIS + 1)


def test_instants_before_genesis_are_refused() -> None:
    with pytest.raises(errors.InstantBeforeGenesis) as raised:
        epoch_of(GENESIS - 1, GENESIS)
    assert raised.value.code == "instant_before_genesis"
    with pytest.raises(errors.NegativeEpoch):
        epoch_start(-1, GENESIS)


def test_rounds_must_split_the_epoch_into_whole_seconds() -> None:
    with pytest.raises(errors.ParameterOutOfRange):
        round_of(GENESIS, GENESIS, rounds_per_epoch=7)


def test_a_trip_inside_one_round_lands_there() -> None:
    assert prorate_distance(GENESIS + 10, GENESIS + 500, 4_321, GENESIS) == [
        RoundShare(0, 0, 4_321)
    ]


def test_a_trip_across_rounds_is_split_by_time() -> None:
    # 300 s in round 0, 600 s in round 1, 300 s in round 2: 1/4, 1/2, 1/4 of 1,000 m.
    shares = prorate_distance(GENESIS + 300, GENESIS + 1_500, 1_000, GENESIS)
    assert shares == [RoundShare(0, 0, 250), RoundShare(0, 1, 500), RoundShare(0, 2, 250)]


def test_a_trip_across_midnight_spans_two_epochs() -> None:
    shares = prorate_distance(GENESIS + DAY - 300, GENESIS + DAY + 300, 10_001, GENESIS)
    assert shares == [RoundShare(0, 143, 5_000), RoundShare(1, 0, 5_001)]


def test_a_zero_length_trip_lands_in_its_start_round() -> None:
    assert prorate_distance(GENESIS + 600, GENESIS + 600, 7, GENESIS) == [RoundShare(0, 1, 7)]


def test_a_trip_ending_on_a_boundary_stays_out_of_the_next_round() -> None:
    assert prorate_distance(GENESIS, GENESIS + 600, 50, GENESIS) == [RoundShare(0, 0, 50)]


def test_no_meters_no_shares() -> None:
    assert prorate_distance(GENESIS, GENESIS + 6_000, 0, GENESIS) == []


@pytest.mark.parametrize(
    ("start", "end", "meters", "error"),
    [
        (GENESIS + 10, GENESIS + 5, 1, errors.InvalidInterval),
        (GENESIS, GENESIS + 5, -1, errors.InvalidWeight),
        (GENESIS - 5, GENESIS + 5, 1, errors.InstantBeforeGenesis),
    ],
)
def test_bad_trips_are_refused(start: int, end: int, meters: int, error: type[Exception]) -> None:
    with pytest.raises(error):
        prorate_distance(start, end, meters, GENESIS)


trips = st.tuples(st.integers(0, 30 * DAY), st.integers(0, 2 * DAY), st.integers(0, 2_000_000))


@settings(deadline=None)  # wall-clock limits flake on a shared 2-core machine
@given(trips, st.sampled_from([(86_400, 144), (86_400, 4), (3_600, 6)]))
def test_shares_sum_exactly_and_track_time(
    trip: tuple[int, int, int], timing: tuple[int, int]
) -> None:
    offset, duration, meters = trip
    epoch_seconds, rounds = timing
    start, end = GENESIS + offset, GENESIS + offset + duration
    shares = prorate_distance(start, end, meters, GENESIS, epoch_seconds, rounds)
    assert sum(share.meters for share in shares) == meters
    assert all(share.meters > 0 for share in shares)
    keys = [(share.epoch, share.round) for share in shares]
    assert keys == sorted(set(keys))
    round_seconds = epoch_seconds // rounds
    for share in shares:
        round_start = GENESIS + (share.epoch * rounds + share.round) * round_seconds
        if duration == 0:
            assert share.meters == meters and round_start <= start < round_start + round_seconds
            continue
        overlap = min(end, round_start + round_seconds) - max(start, round_start)
        assert overlap > 0
        # Each share is within one meter of its exact time-proportional value.
        assert abs(share.meters - Fraction(meters * overlap, duration)) < 1
