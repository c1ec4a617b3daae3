"""API keys for machines (merchants, sales systems): issued once, stored only as a hash.

A key reads `<prefix>_<key id>_<secret>`. The key id finds the row; the SHA-256 of the whole key
is what the row keeps, compared in constant time. The secret is 256 random bits, so a fast hash
is enough: slow password hashing protects guessable secrets, and these are not guessable.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
from dataclasses import dataclass

from milestone.errors import MilestoneError

KEY_ID_BYTES = 6
SECRET_BYTES = 32
KEY_PATTERN = re.compile(r"([a-z]{2,8})_([0-9a-f]{12})_([A-Za-z0-9_-]{43})")


class InvalidApiKey(MilestoneError):
    """A key that is malformed, unknown, revoked or does not match: one answer for all."""

    code = "invalid_api_key"
    http_status = 401


@dataclass(frozen=True)
class IssuedKey:
    key_id: str
    key: str
    """The whole key: shown once to whoever receives it, never stored."""
    key_hash: bytes


def issue_api_key(prefix: str) -> IssuedKey:
    """A fresh key for a holder of kind `prefix` (e.g. `mk` for merchants)."""
    key_id = secrets.token_hex(KEY_ID_BYTES)
    key = f"{prefix}_{key_id}_{secrets.token_urlsafe(SECRET_BYTES)}"
    return IssuedKey(key_id, key, hash_api_key(key))


def hash_api_key(key: str) -> bytes:
    return hashlib.sha256(key.encode()).digest()


def parse_key_id(key: str, prefix: str) -> str:
    """The key id inside a well-formed key of kind `prefix`; `InvalidApiKey` otherwise."""
    match = KEY_PATTERN.fullmatch(key) if isinstance(key, str) else None
    if match is None or match.group(1) != prefix:
        raise InvalidApiKey("the API key is not valid")
    return match.group(2)


def check_api_key(key: str, stored_hash: bytes) -> None:
    """Refuse a key whose hash is not the stored one."""
    if not hmac.compare_digest(hash_api_key(key), stored_hash):
        raise InvalidApiKey("the API key is not valid")
