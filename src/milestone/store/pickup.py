"""The pickup code: the buyer's secret that lets the merchant hand over an order.

The code is drawn at random when the order is placed and shown only to the buyer; the merchant
fulfils an order only with the code the buyer tells them at the counter, so a merchant (or
anyone holding its key) cannot mark an order delivered that nobody collected. It is stored as
it is, not hashed: the buyer reads it again in their order list whenever they come to collect.

Eight characters from 31 that are not misread aloud (no 0/O, 1/I/L) give 31^8 ≈ 8.5·10^11
codes: at the API's write limit, guessing one takes lifetimes.
"""

from __future__ import annotations

import hmac
import secrets

ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
LENGTH = 8


def new_pickup_code() -> str:
    """A fresh code, from the operating system's cryptographic source."""
    return "".join(secrets.choice(ALPHABET) for _ in range(LENGTH))


def normalise_pickup_code(text: str) -> str:
    """The code as typed at a counter: case, spaces and dashes do not matter."""
    return "".join(text.split()).replace("-", "").upper()


def pickup_code_matches(stored: str, given: str) -> bool:
    """Compared in constant time, so the answer's timing says nothing about the code."""
    return hmac.compare_digest(stored.encode(), normalise_pickup_code(given).encode())
