"""What a dividend may be: a share of the backing at most, paid today or later."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from milestone.dividends.errors import DividendAboveBacking, PaymentDateInPast
from milestone.dividends.limits import check_dividend_limits, dividend_limits

# 2026-12-04 23:30 UTC is already 2026-12-05 07:30 in Shanghai.
LATE_EVENING_UTC = 1_796_427_000


def test_today_is_the_program_time_zones_day() -> None:
    assert dividend_limits(0, 10, "Asia/Shanghai", LATE_EVENING_UTC).earliest_payment_date == (
        "2026-12-05")
    assert dividend_limits(0, 10, "UTC", LATE_EVENING_UTC).earliest_payment_date == "2026-12-04"


def test_a_dividend_up_to_the_share_of_the_backing_is_allowed() -> None:
    limits = dividend_limits(50_000_000_000, 10, "Asia/Shanghai", LATE_EVENING_UTC)
    assert limits.max_amount_fen == 5_000_000_000
    check_dividend_limits(limits, 5_000_000_000, "2026-12-05")


def test_a_dividend_above_the_share_of_the_backing_is_refused_with_both_figures() -> None:
    limits = dividend_limits(50_000_000_000, 10, "Asia/Shanghai", LATE_EVENING_UTC)
    with pytest.raises(DividendAboveBacking, match=r"¥50,000,000\.01 .* ¥50,000,000\.00"):
        check_dividend_limits(limits, 5_000_000_001, "2027-03-31")


def test_a_payment_date_before_today_is_refused() -> None:
    limits = dividend_limits(0, 10, "Asia/Shanghai", LATE_EVENING_UTC)
    with pytest.raises(PaymentDateInPast, match="2026-12-05"):
        check_dividend_limits(limits, 100, "2026-12-04")
    with pytest.raises(PaymentDateInPast):
        check_dividend_limits(limits, 100, "2001-01-01")


def test_without_a_configured_backing_no_size_is_refused() -> None:
    limits = dividend_limits(0, 10, "Asia/Shanghai", LATE_EVENING_UTC)
    assert limits.max_amount_fen is None
    check_dividend_limits(limits, 999_999_999_999_999, "2027-01-01")


@given(backing=st.integers(1, 10**15), share=st.integers(1, 100), amount=st.integers(1, 10**17))
def test_an_allowed_dividend_never_exceeds_the_share(backing: int, share: int, amount: int) -> None:
    limits = dividend_limits(backing, share, "Asia/Shanghai", LATE_EVENING_UTC)
    try:
        check_dividend_limits(limits, amount, "2030-01-01")
    except DividendAboveBacking:
        assert amount * 100 > backing * share
    else:
        assert amount * 100 <= backing * share
