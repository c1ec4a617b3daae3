"""What a dividend may be: at most a share of the equity behind the plan, paid today or later.

A dividend is split at once over every holder and shown to them, so a slip of the finger (a
dividend 20,000 times the equity, a payment date in 2001) must be refused before it is posted.
The share and the backing are settings; the web app reads these limits to refuse the same
input before sending it.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from milestone.dividends.errors import DividendAboveBacking, PaymentDateInPast


def _yuan(fen: int) -> str:
    return f"¥{fen // 100:,}.{fen % 100:02d}"


@dataclass(frozen=True)
class DividendLimits:
    max_amount_fen: int | None
    """The largest dividend (None: no backing configured, so no cap)."""
    earliest_payment_date: str
    """Today in the program's time zone, YYYY-MM-DD."""


def dividend_limits(
    backing_fen: int, max_share_percent: int, time_zone: str, now: int
) -> DividendLimits:
    """The limits in force at `now`; the cap rounds down to a whole fen."""
    today = datetime.datetime.fromtimestamp(now, ZoneInfo(time_zone)).date()
    cap = backing_fen * max_share_percent // 100 if backing_fen else None
    return DividendLimits(cap, today.isoformat())


def check_dividend_limits(limits: DividendLimits, amount_fen: int, payment_date: str) -> None:
    """Refuse a dividend above the cap, or paid before today (dates compare as ISO text)."""
    if limits.max_amount_fen is not None and amount_fen > limits.max_amount_fen:
        raise DividendAboveBacking(
            f"a dividend of {_yuan(amount_fen)} is more than the largest allowed, "
            f"{_yuan(limits.max_amount_fen)} (the configured share of the equity behind the plan)"
        )
    if payment_date < limits.earliest_payment_date:
        raise PaymentDateInPast(
            f"the payment date {payment_date} has passed: the earliest is "
            f"{limits.earliest_payment_date} (today in the program's time zone)"
        )
