"""Sampling the emission schedule for charts."""

from __future__ import annotations

import itertools

from hypothesis import given, settings
from hypothesis import strategies as st

from milestone.program.schedule import sample_schedule
from milestone.rules.params import get_preset
from milestone.rules.schedule import calculate_cumulative_release

IM = get_preset("im-csop")


def test_short_ranges_have_every_epoch() -> None:
    points = sample_schedule(IM, 5)
    assert [p.epoch for p in points] == [0, 1, 2, 3, 4, 5]
    assert points[0].mining == IM.mining.initial_per_epoch


@settings(max_examples=60)
@given(until=st.integers(0, 80_000), count=st.integers(2, 400))
def test_samples_are_bounded_ordered_and_exact(until: int, count: int) -> None:
    points = sample_schedule(IM, until, count)
    epochs = [p.epoch for p in points]
    assert epochs[0] == 0 and epochs[-1] == until
    assert epochs == sorted(set(epochs)) and len(epochs) <= count
    for point in points[:: max(1, len(points) // 5)]:
        assert point.mining == calculate_cumulative_release(IM.mining, point.epoch)
    assert all(a.mining <= b.mining for a, b in itertools.pairwise(points))


def test_negative_range_is_the_genesis_epoch() -> None:
    assert [p.epoch for p in sample_schedule(IM, -3)] == [0]
