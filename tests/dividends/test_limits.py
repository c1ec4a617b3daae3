"""What a dividend may be: the program's ceiling at most, paid today or later."""

from __future__ import annotations

import dataclasses

import pytest
from hypothesis import given
from hypothesis import strategies as st

from milestone.dividends.errors import DividendAboveCeiling, PaymentDateInPast
from milestone.dividends.limits import (
    check_dividend_ceiling,
    check_payment_date,
    dividend_limits,
    today_in,
)
from milestone.rules.params import get_preset

# 2026-12-04 23:30 UTC is already 2026-12-05 07:30 in Shanghai.
LATE_EVENING_UTC = 1_796_427_000
PARAMS = get_preset("minimal")


def test_today_is_the_program_time_zones_day() -> None:
    assert today_in("Asia/Shanghai", LATE_EVENING_UTC) == "2026-12-05"
    assert today_in("UTC", LATE_EVENING_UTC) == "2026-12-04"
    assert dividend_limits(PARAMS, "Asia/Shanghai", LATE_EVENING_UTC).earliest_payment_date == (
        "2026-12-05")


def test_the_limit_is_the_programs_ceiling_else_the_backing() -> None:
    by_default = dividend_limits(PARAMS, "UTC", LATE_EVENING_UTC)
    assert (by_default.max_amount_fen, by_default.ceiling_is_backing) == (PARAMS.backing_fen, True)
    set_low = dataclasses.replace(PARAMS, dividend_ceiling_fen=5_000_000_000)
    limits = dividend_limits(set_low, "UTC", LATE_EVENING_UTC)
    assert (limits.max_amount_fen, limits.ceiling_is_backing) == (5_000_000_000, False)


def test_a_dividend_above_the_ceiling_is_refused_with_both_figures() -> None:
    check_dividend_ceiling(5_000_000_000, 5_000_000_000)
    with pytest.raises(DividendAboveCeiling, match=r"¥50,000,000\.01 .* ¥50,000,000\.00") as no:
        check_dividend_ceiling(5_000_000_000, 5_000_000_001)
    assert no.value.code == "dividend_above_ceiling"


def test_a_payment_date_before_today_is_refused() -> None:
    check_payment_date("2026-12-05", "2026-12-05")
    with pytest.raises(PaymentDateInPast, match="2026-12-05"):
        check_payment_date("2026-12-04", "2026-12-05")
    with pytest.raises(PaymentDateInPast):
        check_payment_date("2001-01-01", "2026-12-05")


@given(ceiling=st.integers(1, 10**15), amount=st.integers(1, 10**17))
def test_an_allowed_dividend_never_exceeds_the_ceiling(ceiling: int, amount: int) -> None:
    try:
        check_dividend_ceiling(ceiling, amount)
    except DividendAboveCeiling:
        assert amount > ceiling
    else:
        assert amount <= ceiling
