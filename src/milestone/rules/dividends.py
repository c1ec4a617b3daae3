"""The dividend split: an amount of fiat shared among holders in proportion to their stones."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TypeVar

from milestone.rules.errors import AmountNegative, NoHolders

Holder = TypeVar("Holder", bytes, int, str)


def split_dividend(amount: int, balances: Mapping[Holder, int]) -> dict[Holder, int]:
    """
    Each holder's share of `amount` (CNY fen), by the largest-remainder method.

    Holder i is first given `amount · balance_i // circulating`, rounded down, circulating being
    the sum of all balances. The fen left over (fewer than the number of holders) go one each
    to the holders with the largest remainders `amount · balance_i mod circulating`; equal
    remainders go in ascending order of holder key (address bytes). The shares sum to `amount`
    exactly and nobody gets more than one fen above their exact entitlement. A holder with a
    zero balance gets nothing; holders whose share is zero are left out of the result.
    """
    if amount < 0:
        raise AmountNegative(f"a dividend cannot be negative (got {amount})")
    for holder, balance in balances.items():
        if balance < 0:
            raise AmountNegative(f"holder {holder!r} has a negative balance ({balance})")
    holders = sorted(holder for holder, balance in balances.items() if balance > 0)
    circulating = sum(balances[holder] for holder in holders)
    if circulating == 0:
        raise NoHolders("nobody holds a positive balance to share the dividend")
    shares: dict[Holder, int] = {}
    remainders: list[tuple[int, Holder]] = []
    for holder in holders:
        share, remainder = divmod(amount * balances[holder], circulating)
        shares[holder] = share
        remainders.append((remainder, holder))
    leftover = amount - sum(shares.values())
    # Largest remainder first, then ascending holder: sort on (-remainder, holder).
    remainders.sort(key=lambda entry: (-entry[0], entry[1]))
    for _, holder in remainders[:leftover]:
        shares[holder] += 1
    return {holder: share for holder, share in shares.items() if share > 0}
