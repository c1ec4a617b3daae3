"""Idempotency keys that clients send with a request, so that repeating it changes nothing."""

from __future__ import annotations

import re

from milestone.errors import MilestoneError

REQUEST_KEY_PATTERN = re.compile(r"[\x21-\x7e]{1,64}")
"""1 to 64 printable ASCII characters without spaces: room to prefix them in the journal."""


class InvalidRequestKey(MilestoneError):
    code = "invalid_idempotency_key"
    http_status = 422


def check_request_key(key: str) -> str:
    """`key` if it is a well-formed request key; `InvalidRequestKey` otherwise."""
    if not isinstance(key, str) or not REQUEST_KEY_PATTERN.fullmatch(key):
        raise InvalidRequestKey(
            f"idempotency key {key!r} must be 1 to 64 printable ASCII characters, no spaces"
        )
    return key
