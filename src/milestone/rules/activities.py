"""Activity rewards: the daily check-in streak, referral caps and vesting, and the signed delivery.

Days are UTC days counted from genesis (the epochs), so "once a day" means once per epoch.
The delivery confirmation a sales system signs is encoded here, byte for byte, so that a
sales system written in another language can produce exactly the message Milestone verifies.
"""

from __future__ import annotations

import datetime
from typing import Final

from milestone.rules.errors import RuleError
from milestone.rules.units import MAX_AMOUNT

DAY_SECONDS: Final[int] = 86_400

DELIVERY_DOMAIN: Final[bytes] = b"milestone/referral-delivery/v1\x00"
"""Prefix of every signed delivery confirmation: a signature over it means nothing else."""
ORDER_ID_MAX_BYTES: Final[int] = 64
VIN_BYTES: Final[int] = 17
MAX_UINT64: Final[int] = 2**64 - 1


class InvalidStreak(RuleError):
    """A streak or day that cannot occur: negative, or a check-in before the previous one."""

    code = "invalid_streak"


class InvalidConfirmation(RuleError):
    """A delivery confirmation whose fields cannot be encoded."""

    code = "invalid_confirmation"


class InvalidReward(RuleError):
    """A reward, cap or count out of range."""

    code = "invalid_reward"


def calculate_streak(previous_day: int | None, previous_streak: int, day: int) -> int:
    """
    The owner's streak after checking in on `day`.

    A check-in the day after the previous one extends the streak by one; any missed day resets
    it to 1, as does the first check-in ever. Checking in twice on one day is not a streak
    question but a refusal, so `day` must be after `previous_day`.
    """
    if day < 0 or previous_streak < 0:
        raise InvalidStreak(f"day {day} and streak {previous_streak} must not be negative")
    if previous_day is None:
        return 1
    if day <= previous_day:
        raise InvalidStreak(f"day {day} is not after the previous check-in on day {previous_day}")
    return previous_streak + 1 if day == previous_day + 1 else 1


def calculate_checkin_reward(streak: int, base: int, bonus: int, cap: int) -> int:
    """
    Pebbles paid for a check-in that brings the streak to `streak`.

    The first day of a streak pays `base`; each further consecutive day adds `bonus`, up to
    `cap` bonuses: `base + bonus · min(streak - 1, cap)`. A streak longer than `cap + 1` days
    keeps paying the capped amount. No division, so no rounding.
    """
    if streak < 1:
        raise InvalidStreak(f"a check-in makes a streak of at least 1, not {streak}")
    if base <= 0 or bonus < 0 or cap < 0:
        raise InvalidReward(
            f"base {base} must be positive, bonus {bonus} and cap {cap} not negative"
        )
    reward = base + bonus * min(streak - 1, cap)
    if reward > MAX_AMOUNT:
        raise InvalidReward(f"a check-in reward of {reward} does not fit 64 bits")
    return reward


def year_of(instant: int) -> int:
    """The UTC calendar year of `instant`: the period of the referral cap."""
    return datetime.datetime.fromtimestamp(instant, datetime.UTC).year


def is_within_yearly_cap(rewarded_this_year: int, yearly_cap: int) -> bool:
    """
    Whether a referrer rewarded `rewarded_this_year` times this UTC year may be rewarded again.

    The cap counts rewarded referrals of one referrer per calendar year (UTC) of the delivery
    confirmation; it bounds what one account can farm from the activity reserve. The buyer's
    reward does not count towards anyone's cap.
    """
    if rewarded_this_year < 0 or yearly_cap < 0:
        raise InvalidReward("referral counts and caps are not negative")
    return rewarded_this_year < yearly_cap


def calculate_vesting_instant(delivered_at: int, vesting_days: int) -> int:
    """
    When a referral reward vests: the car must have been on the road `vesting_days` full days.

    Zero vesting days vests at delivery. Vesting only delays spending; the reward is credited
    at once and counted in the owner's balance (and dividends) from the start.
    """
    if vesting_days < 0:
        raise InvalidReward(f"vesting days must not be negative (got {vesting_days})")
    return delivered_at + vesting_days * DAY_SECONDS


def encode_delivery_confirmation(order_id: str, vin: str, buyer: int, delivered_at: int) -> bytes:
    """
    The bytes a sales system signs (Ed25519) to confirm that a referred car was delivered.

    `DELIVERY_DOMAIN ‖ uint8 len(order_id) ‖ order_id (UTF-8) ‖ VIN (17 ASCII bytes) ‖
    uint64 buyer owner id ‖ int64 delivered_at (Unix seconds)`, integers big-endian. Every
    field has a fixed size or a length prefix, so no two confirmations encode alike.
    """
    order_bytes = order_id.encode("utf-8")
    if not 0 < len(order_bytes) <= ORDER_ID_MAX_BYTES:
        raise InvalidConfirmation(f"an order id is 1 to {ORDER_ID_MAX_BYTES} bytes of UTF-8")
    if len(vin) != VIN_BYTES or not vin.isascii():
        raise InvalidConfirmation(f"a VIN is {VIN_BYTES} ASCII characters")
    if not 0 < buyer <= MAX_UINT64:
        raise InvalidConfirmation(f"buyer {buyer} is not a positive 64-bit owner id")
    if not 0 <= delivered_at <= MAX_AMOUNT:
        raise InvalidConfirmation(f"delivery instant {delivered_at} is out of range")
    return b"".join(
        (
            DELIVERY_DOMAIN,
            len(order_bytes).to_bytes(1, "big"),
            order_bytes,
            vin.encode("ascii"),
            buyer.to_bytes(8, "big"),
            delivered_at.to_bytes(8, "big", signed=True),
        )
    )

