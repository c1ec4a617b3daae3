"""A dividend's limits over HTTP: read before declaring, and enforced when declaring."""

from __future__ import annotations

from fastapi.testclient import TestClient

from milestone.settings import Settings

from .conftest import People
from .support import assert_problem


def declare(client: TestClient, people: People, amount: str, payment_date: str):
    return client.post(
        "/api/v1/dividends",
        json={"amount_fen": str(amount), "record_epoch": 0, "payment_date": payment_date},
        headers={**people.headers["olga"], "Idempotency-Key": f"limits-{amount}-{payment_date}"},
    )


def test_limits_are_public_and_say_today_in_the_program_time_zone(
    client: TestClient, settings: Settings
) -> None:
    settings.dividend_backing_fen = 50_000_000_000
    limits = client.get("/api/v1/dividends/limits").json()
    # The clock is at 2026-01-01 00:00 UTC: 08:00 that day in Shanghai.
    assert limits == {"max_amount_fen": "5000000000", "earliest_payment_date": "2026-01-01",
                      "time_zone": "Asia/Shanghai"}


def test_a_dividend_above_the_backing_or_paid_in_the_past_is_refused_before_anything(
    client: TestClient, people: People, settings: Settings
) -> None:
    settings.dividend_backing_fen = 50_000_000_000
    # Both refusals are 409: the backing and today are not rules of the request's shape.
    too_big = declare(client, people, "999999999999999", "2027-03-31")
    assert_problem(too_big, 409, "dividend_above_backing")
    assert_problem(declare(client, people, "1000", "2001-01-01"), 409, "payment_date_in_past")
    # Within the limits the declaration goes on to the next check (no finalized epoch here).
    assert_problem(declare(client, people, "1000", "2026-01-01"), 409, "epoch_not_finalized")
    assert client.get("/api/v1/dividends").json() == []
