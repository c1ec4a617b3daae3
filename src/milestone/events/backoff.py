"""When a failed delivery is tried again: exponential backoff with jitter.

Attempt n (1 for the first failure) waits `base · 2^(n-1)` seconds, capped at `cap`, then drawn
uniformly from its upper half ("equal jitter"): receivers that all failed together do not all
come back in the same second, and no wait is ever shorter than half its step.
"""

from __future__ import annotations

import random


def retry_delay(failures: int, base: int, cap: int, rng: random.Random | None = None) -> int:
    """Seconds to wait after the `failures`-th failed attempt (at least 1)."""
    if failures < 1 or base < 1 or cap < 1:
        raise ValueError("failures, base and cap are positive")
    step = min(cap, base << min(failures - 1, 62))
    low = (step + 1) // 2
    return max(1, (rng or random).randint(low, step))
