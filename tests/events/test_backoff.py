"""Retry waits: exponential, capped, jittered within the upper half of each step."""

from __future__ import annotations

import random

import pytest
from hypothesis import given
from hypothesis import strategies as st

from milestone.events.backoff import retry_delay


@given(
    failures=st.integers(1, 200), base=st.integers(1, 600), cap=st.integers(1, 86_400),
    seed=st.integers(0, 2**32),
)
def test_a_wait_lies_in_the_upper_half_of_its_capped_step(
    failures: int, base: int, cap: int, seed: int
) -> None:
    step = min(cap, base * 2 ** (failures - 1))
    delay = retry_delay(failures, base, cap, random.Random(seed))
    assert max(1, (step + 1) // 2) <= delay <= max(1, step)


def test_waits_grow_until_the_cap() -> None:
    rng = random.Random(7)
    lows = [retry_delay(n, 4, 100, rng) for n in range(1, 10)]
    assert lows[0] <= 4 and lows[3] >= 16 and all(d <= 100 for d in lows)
    assert lows[-1] >= 50


def test_jitter_spreads_receivers_that_failed_together() -> None:
    rng = random.Random(1)
    assert len({retry_delay(6, 5, 3_600, rng) for _ in range(50)}) > 10


@pytest.mark.parametrize("failures, base, cap", [(0, 1, 1), (1, 0, 1), (1, 1, 0)])
def test_nonsense_is_refused(failures: int, base: int, cap: int) -> None:
    with pytest.raises(ValueError):
        retry_delay(failures, base, cap)
