"""Spending rules: order totals, the transfer policy, and the spend lock on earned stones.

The spend lock (IM: 90 days) keeps freshly earned stones from being spent at once: each credit
an owner earned unlocks at its own instant, and only the part of the balance not covered by
still-locked credits can be spent. Spending never draws on locked stones first; stones that
come back (a cancelled order) were already unlocked and stay so.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Final

from milestone.rules.errors import RuleError
from milestone.rules.units import MAX_AMOUNT

DAY_SECONDS: Final[int] = 86_400


class InvalidSpend(RuleError):
    """An amount, price or quantity out of range for a spending rule."""

    code = "invalid_spend"


@dataclass(frozen=True, slots=True)
class Earning:
    """Stones credited to an owner, and when they may be spent (None: once certified)."""

    amount: int
    unlocks_at: int | None


def calculate_order_total(unit_price: int, quantity: int) -> int:
    """The price of `quantity` items at `unit_price` each (pebbles or fen), exact."""
    if unit_price < 0 or quantity <= 0:
        raise InvalidSpend(f"price {unit_price} must not be negative, quantity {quantity} positive")
    total = unit_price * quantity
    if total > MAX_AMOUNT:
        raise InvalidSpend(f"{quantity} × {unit_price} does not fit 64 bits")
    return total


def is_transfer_allowed(policy: str, allowlisted: bool) -> bool:
    """
    Whether the program's policy lets one owner send stones to another.

    `none` (IM's stones are bound to the account) refuses every transfer; `allowlist` allows a
    pair the operator listed; `free` allows any. An unknown policy allows nothing.
    """
    if policy == "free":
        return True
    if policy == "allowlist":
        return allowlisted
    return False


def calculate_unlock_instant(
    earned_at: int,
    lock_days: int,
    certified_at: int | None,
    requires_certification: bool,
    vests_at: int | None = None,
) -> int | None:
    """
    When stones earned at `earned_at` become spendable.

    Two conditions, both required: `lock_days` full days have passed since earning, and (when
    the program requires it) the owner has been certified. So the instant is
    `max(earned_at + lock_days · 86400, certified_at)`, or None while an owner who must be
    certified is not. A vesting referral reward also waits for `vests_at`.
    """
    if lock_days < 0:
        raise InvalidSpend(f"lock days must not be negative (got {lock_days})")
    unlocks_at = earned_at + lock_days * DAY_SECONDS
    if requires_certification:
        if certified_at is None:
            return None
        unlocks_at = max(unlocks_at, certified_at)
    if vests_at is not None:
        unlocks_at = max(unlocks_at, vests_at)
    return unlocks_at


def calculate_locked(earnings: Sequence[Earning], now: int) -> int:
    """Pebbles of `earnings` still locked at `now`."""
    return sum(e.amount for e in earnings if e.unlocks_at is None or e.unlocks_at > now)


def calculate_spendable(balance: int, earnings: Sequence[Earning], now: int) -> int:
    """
    Pebbles of `balance` that may be spent at `now`.

    The still-locked earnings are set aside from the balance; what remains can be spent. The
    balance may be smaller than the locked earnings (older stones were spent first), in which
    case nothing is spendable: `max(0, balance - locked)`.
    """
    if balance < 0 or any(e.amount < 0 for e in earnings):
        raise InvalidSpend("balances and earnings are not negative")
    return max(0, balance - calculate_locked(earnings, now))


def calculate_spendable_from(
    balance: int, earnings: Sequence[Earning], amount: int, now: int
) -> int | None:
    """
    The first instant from `now` on at which `amount` is spendable, if nothing else changes.

    None when it never will be on its own: the balance is short of `amount`, or the stones
    still needed wait for the owner's certification. Spendable only grows as earnings unlock,
    so the answer is `now` or one of the unlock instants, tried in order.
    """
    if amount <= 0:
        raise InvalidSpend(f"an amount to spend is positive, not {amount}")
    if amount > balance:
        return None
    if calculate_spendable(balance, earnings, now) >= amount:
        return now
    pending = sorted(
        {e.unlocks_at for e in earnings if e.unlocks_at is not None and e.unlocks_at > now}
    )
    for instant in pending:
        if calculate_spendable(balance, earnings, instant) >= amount:
            return instant
    return None


@dataclass(frozen=True)
class Unlock:
    """Pebbles that become spendable at `at` (None: once the owner is certified)."""

    at: int | None
    amount: int


def calculate_unlock_schedule(balance: int, earnings: Sequence[Earning], now: int) -> list[Unlock]:
    """
    When the stones locked at `now` become spendable, soonest first, if nothing else changes.

    Each step is what `calculate_spendable` gains at one unlock instant, so the schedule agrees
    with the spend lock by construction: an earning already spent (older stones go first) adds
    nothing, and the steps add up to `balance - calculate_spendable(balance, earnings, now)`.
    What waits for certification comes last, with `at` None.
    """
    spendable = calculate_spendable(balance, earnings, now)
    instants = sorted(
        {e.unlocks_at for e in earnings if e.unlocks_at is not None and e.unlocks_at > now}
    )
    schedule: list[Unlock] = []
    for instant in instants:
        after = calculate_spendable(balance, earnings, instant)
        if after > spendable:
            schedule.append(Unlock(instant, after - spendable))
            spendable = after
    if spendable < balance:
        schedule.append(Unlock(None, balance - spendable))
    return schedule
