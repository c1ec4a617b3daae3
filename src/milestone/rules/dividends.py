"""The dividend split: fiat shared among holders in proportion to their stones, per stone of
the supply (the stake's dividend) or over the circulating stones only."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TypeVar

from milestone.rules.errors import AmountNegative, AmountTooLarge, NoHolders

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


def split_stake_dividend(
    amount: int, balances: Mapping[Holder, int], total_supply: int
) -> tuple[dict[Holder, int], int]:
    """
    The holders' shares of the stake's dividend `amount` (fen), and the issuer's part.

    Each of the `total_supply` pebbles stands for the same slice of the equity stake, so the
    holders together receive `amount · circulating // total_supply` (rounded down, the fen of
    the division going to the issuer), split among them exactly by `split_dividend`; the rest,
    the share of the stones not issued, reserved or burned, is the issuer's. The holders' shares
    and the issuer's part sum to `amount` exactly.
    """
    if amount < 0:
        raise AmountNegative(f"a dividend cannot be negative (got {amount})")
    circulating = sum(balance for balance in balances.values() if balance > 0)
    if circulating == 0:
        raise NoHolders("nobody holds a positive balance to share the dividend")
    if circulating > total_supply:
        raise AmountTooLarge(f"{circulating} pebbles held exceed the supply {total_supply}")
    holders_amount = amount * circulating // total_supply
    shares = split_dividend(holders_amount, balances) if holders_amount else {}
    return shares, amount - sum(shares.values())
