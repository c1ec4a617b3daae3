"""What a dividend may be: at most the program's ceiling for one declaration, paid today or later.

A dividend is split at once over every holder and shown to them, so a slip of the finger (a
dividend 20,000 times the equity, a payment date in 2001) must be refused before it is posted.
The ceiling is the program's parameter `dividend_ceiling_fen` (0: the stake's backing), one rule
that the service enforces on every declaration (`declare_dividend`, from the API and the CLI)
and that `GET /dividends/limits` publishes, so the web app refuses the same input, for the same
reason, before sending it. Today is a day in the program's time zone, a setting.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from milestone.dividends.errors import DividendAboveCeiling, PaymentDateInPast
from milestone.rules.params import Parameters


def _yuan(fen: int) -> str:
    return f"¥{fen // 100:,}.{fen % 100:02d}"


@dataclass(frozen=True)
class DividendLimits:
    max_amount_fen: int
    """The program's ceiling for one declaration, in fen."""
    ceiling_is_backing: bool
    """True when `dividend_ceiling_fen` is 0, so the ceiling is the stake's backing."""
    earliest_payment_date: str
    """Today in the program's time zone, YYYY-MM-DD."""


def today_in(time_zone: str, now: int) -> str:
    """The calendar day of `now` in a time zone, YYYY-MM-DD."""
    return datetime.datetime.fromtimestamp(now, ZoneInfo(time_zone)).date().isoformat()


def dividend_limits(params: Parameters, time_zone: str, now: int) -> DividendLimits:
    """The limits in force at `now`."""
    return DividendLimits(
        params.dividend_ceiling, params.dividend_ceiling_fen == 0, today_in(time_zone, now)
    )


def check_dividend_ceiling(ceiling_fen: int, amount_fen: int) -> None:
    """Refuse a declaration above the program's ceiling, naming both figures."""
    if amount_fen > ceiling_fen:
        raise DividendAboveCeiling(
            f"a dividend of {_yuan(amount_fen)} is more than the ceiling of one declaration, "
            f"{_yuan(ceiling_fen)} (the program's dividend_ceiling_fen, by default the stake's "
            "backing)",
            ceiling_fen=ceiling_fen,
        )


def check_payment_date(payment_date: str, today: str) -> None:
    """Refuse a payment date before today (dates compare as ISO text)."""
    if payment_date < today:
        raise PaymentDateInPast(
            f"the payment date {payment_date} has passed: the earliest is {today} (today in "
            "the program's time zone)"
        )
