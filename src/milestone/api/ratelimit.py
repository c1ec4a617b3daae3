"""Rate limits: in-process token buckets, one per client address and route.

A bucket holds up to `burst` requests and refills at `per_minute / 60` a second; a request that
finds it empty is refused with 429 and a Retry-After. The buckets live in the worker's memory,
so each worker (and each replica) counts on its own: N workers let a client through about N
times the limit. Replicas behind a load balancer that must enforce one global limit need a
shared store (Redis, or the load balancer's own limiter) in place of `RateLimiter`.
"""

from __future__ import annotations

import math
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass

from milestone.errors import MilestoneError

MAX_BUCKETS = 100_000
"""Buckets kept per worker; the least recently used go first (a full bucket loses nothing)."""


class RateLimited(MilestoneError):
    code = "rate_limited"
    http_status = 429


@dataclass(frozen=True)
class Rate:
    per_minute: int
    burst: int

    @property
    def per_second(self) -> float:
        return self.per_minute / 60


@dataclass
class _Bucket:
    tokens: float
    updated: float


class RateLimiter:
    """Token buckets by key; `take` spends one token or says how long to wait for it."""

    def __init__(
        self, monotonic: Callable[[], float] = time.monotonic, max_buckets: int = MAX_BUCKETS
    ) -> None:
        self._monotonic = monotonic
        self._max_buckets = max_buckets
        self._buckets: OrderedDict[tuple[str, ...], _Bucket] = OrderedDict()

    def take(self, key: tuple[str, ...], rate: Rate) -> float:
        """Spend a token of the bucket `key`: 0.0 if granted, else the seconds until one refills."""
        now = self._monotonic()
        bucket = self._buckets.get(key)
        if bucket is None:
            bucket = _Bucket(tokens=float(rate.burst), updated=now)
            self._buckets[key] = bucket
            if len(self._buckets) > self._max_buckets:
                self._buckets.popitem(last=False)
        else:
            self._buckets.move_to_end(key)
            refilled = (now - bucket.updated) * rate.per_second
            bucket.tokens = min(rate.burst, bucket.tokens + refilled)
            bucket.updated = now
        if bucket.tokens >= 1:
            bucket.tokens -= 1
            return 0.0
        return (1 - bucket.tokens) / rate.per_second

    def check(self, key: tuple[str, ...], rate: Rate) -> None:
        """Spend a token or raise `RateLimited` with the Retry-After the client should honour."""
        wait = self.take(key, rate)
        if wait > 0:
            retry_after = max(1, math.ceil(wait))
            raise RateLimited(
                f"too many requests: retry in {retry_after} s",
                retry_after=retry_after,
                headers={"Retry-After": str(retry_after)},
            )
