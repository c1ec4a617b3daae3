"""The dividend split against adversarial holdings: many dust holders beside one whale."""

from __future__ import annotations

from fractions import Fraction

from hypothesis import given, settings
from hypothesis import strategies as st

from milestone.rules.dividends import split_dividend

WHOLE_SUPPLY = 300_000_000 * 10**8


@settings(max_examples=40, deadline=None)
@given(
    amount=st.integers(1, 49_000_000_000),
    dust=st.lists(st.integers(1, 1_000), min_size=1, max_size=3_000),
    whale_share=st.integers(1, WHOLE_SUPPLY),
)
def test_dust_and_a_whale_split_exactly_and_within_a_fen(
    amount: int, dust: list[int], whale_share: int
) -> None:
    holders = {i.to_bytes(20, "big"): balance for i, balance in enumerate(dust, start=1)}
    holders[b"\xff" * 20] = whale_share
    shares = split_dividend(amount, holders)
    assert sum(shares.values()) == amount
    circulating = sum(holders.values())
    for holder, balance in holders.items():
        exact = Fraction(amount * balance, circulating)
        assert abs(shares.get(holder, 0) - exact) < 1
    # Largest remainder: a holder left without the extra fen never has a larger remainder than
    # one who got it.
    remainder = {h: (amount * b) % circulating for h, b in holders.items()}
    floors = {h: (amount * b) // circulating for h, b in holders.items()}
    bumped = [h for h in holders if shares.get(h, 0) > floors[h]]
    unbumped = [h for h in holders if shares.get(h, 0) == floors[h]]
    if bumped and unbumped:
        assert min(remainder[h] for h in bumped) >= max(remainder[h] for h in unbumped)
