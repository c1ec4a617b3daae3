"""Token buckets, and the 429 the API answers when one is empty."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from milestone.api.app import create_app
from milestone.api.ratelimit import Rate, RateLimited, RateLimiter
from milestone.auth import FAST_HASHER

from .support import assert_problem


class FakeTime:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def test_bucket_allows_a_burst_then_refills_at_the_rate() -> None:
    time = FakeTime()
    limiter = RateLimiter(time)
    rate = Rate(per_minute=60, burst=3)
    assert [limiter.take(("a",), rate) for _ in range(3)] == [0.0, 0.0, 0.0]
    assert limiter.take(("a",), rate) == pytest.approx(1.0)
    assert limiter.take(("b",), rate) == 0.0  # another client has its own bucket
    time.now = 1.0
    assert limiter.take(("a",), rate) == 0.0
    assert limiter.take(("a",), rate) > 0
    time.now = 100.0
    assert [limiter.take(("a",), rate) for _ in range(4)][:3] == [0.0, 0.0, 0.0]


def test_refusal_says_when_to_retry() -> None:
    limiter = RateLimiter(FakeTime())
    rate = Rate(per_minute=2, burst=1)
    limiter.check(("a",), rate)
    with pytest.raises(RateLimited) as error:
        limiter.check(("a",), rate)
    assert error.value.details["retry_after"] == 30


def test_buckets_are_bounded_forgetting_the_least_recent() -> None:
    limiter = RateLimiter(FakeTime(), max_buckets=2)
    rate = Rate(per_minute=1, burst=1)
    for key in ("a", "b", "c"):
        limiter.take((key,), rate)
    assert limiter.take(("a",), rate) == 0.0  # forgotten: a fresh, full bucket
    assert limiter.take(("c",), rate) > 0


def test_login_is_limited_per_client(settings, clock, database, program) -> None:
    limited = settings.model_copy(update={"api_login_per_minute": 3})
    app = create_app(limited, clock, database=database, hasher=FAST_HASHER, web_dir=None)
    with TestClient(app, raise_server_exceptions=False) as client:
        body = {"username": "nobody", "password": "whatever it is"}
        codes = [client.post("/api/v1/auth/login", json=body).status_code for _ in range(3)]
        assert codes == [401, 401, 401]
        response = client.post("/api/v1/auth/login", json=body)
        assert_problem(response, 429, "rate_limited")
        assert int(response.headers["Retry-After"]) >= 1
        assert client.get("/api/v1/program").status_code == 200  # reads are not limited
