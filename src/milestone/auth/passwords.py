"""Password hashing with argon2id, and the rules a new password must meet.

Each hash carries its own parameters, so a hash made with one profile verifies under any other;
a log-in rehashes a password whose hash used weaker parameters than the current profile.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from milestone.auth.errors import WeakPassword

MIN_PASSWORD_LENGTH = 10
MAX_PASSWORD_LENGTH = 256
PASSWORD_PATTERN = re.compile(
    r"[^\s\x00-\x1f\x7f-\x9f](?:[^\x00-\x1f\x7f-\x9f]*[^\s\x00-\x1f\x7f-\x9f])?"
)
"""No control character (C0, DEL, C1) anywhere and no white space at either end. Written as a
pattern so that the API's schema states the same rule (`^...$` around it)."""

STRONG_HASHER = PasswordHasher()
"""argon2-cffi's defaults (RFC 9106 low-memory profile: t=3, m=64 MiB, p=4): production."""

FAST_HASHER = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)
"""Cheap parameters for tests and the simulator, where thousands of users sign up."""

_DUMMY_HASHES: dict[int, str] = {}


def check_password_rules(password: str) -> None:
    """Refuse a password that is too short or too long (length in characters)."""
    if not MIN_PASSWORD_LENGTH <= len(password) <= MAX_PASSWORD_LENGTH:
        raise WeakPassword(
            f"a password has {MIN_PASSWORD_LENGTH} to {MAX_PASSWORD_LENGTH} characters"
        )
    if not PASSWORD_PATTERN.fullmatch(password):
        raise WeakPassword("a password has no leading or trailing spaces and no control characters")


@dataclass(frozen=True)
class NewPassword:
    """A password that met the rules, already hashed: hash it before a write transaction, not
    inside one, so the slow hash never holds a database lock."""

    hash: str


def prepare_password(password: str | NewPassword, hasher: PasswordHasher) -> NewPassword:
    """The argon2id hash of a password that meets the rules (a prepared one passes through)."""
    if isinstance(password, NewPassword):
        return password
    check_password_rules(password)
    return NewPassword(hasher.hash(password))


def verify_password(password_hash: str, password: str, hasher: PasswordHasher) -> bool:
    """Whether `password` matches `password_hash`."""
    try:
        return hasher.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def burn_verification_time(password: str, hasher: PasswordHasher) -> None:
    """Spend what a real verification costs, so unknown users answer as slowly as known ones."""
    key = id(hasher)
    if key not in _DUMMY_HASHES:
        _DUMMY_HASHES[key] = hasher.hash("not the password of anybody")
    verify_password(_DUMMY_HASHES[key], password, hasher)
