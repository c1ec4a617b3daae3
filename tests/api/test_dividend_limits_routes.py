"""A dividend's limits over HTTP: the program's one ceiling, published before declaring and
enforced when declaring, and a payment date no earlier than today."""

from __future__ import annotations

from fastapi.testclient import TestClient

from milestone.program.service import Program

from .conftest import People
from .support import assert_problem


def declare(client: TestClient, people: People, amount: str | int, payment_date: str):
    return client.post(
        "/api/v1/dividends",
        json={"amount_fen": str(amount), "record_epoch": 0, "payment_date": payment_date},
        headers={**people.headers["olga"], "Idempotency-Key": f"limits-{amount}-{payment_date}"},
    )


def test_limits_are_public_the_programs_ceiling_and_today_in_the_program_time_zone(
    client: TestClient, program: Program
) -> None:
    limits = client.get("/api/v1/dividends/limits").json()
    ceiling = program.parameters.dividend_ceiling
    assert ceiling == program.parameters.backing_fen > 0  # dividend_ceiling_fen 0: the backing
    # The clock is at 2026-01-01 00:00 UTC: 08:00 that day in Shanghai.
    assert limits == {"max_amount_fen": str(ceiling), "ceiling_is_backing": True,
                      "earliest_payment_date": "2026-01-01", "time_zone": "Asia/Shanghai"}


def test_a_dividend_above_the_ceiling_or_paid_in_the_past_is_refused_before_anything(
    client: TestClient, people: People, program: Program
) -> None:
    ceiling = int(client.get("/api/v1/dividends/limits").json()["max_amount_fen"])
    too_big = declare(client, people, ceiling + 1, "2027-03-31")
    assert_problem(too_big, 409, "dividend_above_ceiling")
    assert too_big.json()["ceiling_fen"] == ceiling
    assert_problem(declare(client, people, 1_000, "2001-01-01"), 409, "payment_date_in_past")
    # At the ceiling the declaration goes on to the next check (no finalized epoch here).
    assert_problem(declare(client, people, ceiling, "2026-01-01"), 409, "epoch_not_finalized")
    assert client.get("/api/v1/dividends").json() == []
