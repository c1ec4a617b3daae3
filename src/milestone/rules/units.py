"""Units of account: stones, pebbles, and the bounds every amount lives in."""

from __future__ import annotations

from typing import Final

PEBBLES_PER_STONE: Final[int] = 10**8
"""1 stone = 10^8 pebbles; every amount in the program is an integer number of pebbles."""

MAX_AMOUNT: Final[int] = 2**63 - 1
"""Amounts must fit a signed 64-bit integer, so SQL BIGINT columns hold any of them."""


def stones(count: int) -> int:
    """`count` whole stones, in pebbles."""
    return count * PEBBLES_PER_STONE


def format_pebbles(pebbles: int) -> str:
    """Render an amount of pebbles as stones with all eight decimals, e.g. `71869.58316221`."""
    sign = "-" if pebbles < 0 else ""
    whole, frac = divmod(abs(pebbles), PEBBLES_PER_STONE)
    return f"{sign}{whole}.{frac:08d}"
