"""Log-in tokens: what they carry, when they expire, and what forgeries look like."""

from __future__ import annotations

import jwt
import pytest

from milestone.auth import TokenSigner, load_token_secret
from milestone.auth.errors import InvalidToken, TokenExpired
from milestone.auth.principals import Role
from milestone.auth.users import User
from milestone.clock import ManualClock

SECRET = b"k" * 32
OWNER = User(id=7, username="ann", role=Role.OWNER, owner_id=3, created_at=0, disabled_at=None)
OPERATOR = User(
    id=8, username="olga", role=Role.OPERATOR, owner_id=None, created_at=0, disabled_at=None
)


def test_token_names_the_user_role_and_owner() -> None:
    signer = TokenSigner(SECRET, ManualClock(1_000), ttl_seconds=900)
    issued = signer.issue(OWNER)
    principal = signer.verify(issued.token)
    assert (principal.subject, principal.role, principal.owner_id) == (7, Role.OWNER, 3)
    assert issued.expires_at == 1_900
    staff = signer.verify(signer.issue(OPERATOR).token)
    assert staff.role is Role.OPERATOR and staff.owner_id is None


def test_token_expires_by_the_injected_clock() -> None:
    clock = ManualClock(1_000)
    signer = TokenSigner(SECRET, clock, ttl_seconds=900)
    token = signer.issue(OWNER).token
    clock.set(1_899)
    signer.verify(token)
    clock.set(1_900)
    with pytest.raises(TokenExpired):
        signer.verify(token)


def test_token_of_another_secret_or_tampered_is_refused() -> None:
    clock = ManualClock(1_000)
    token = TokenSigner(b"x" * 32, clock, 900).issue(OWNER).token
    signer = TokenSigner(SECRET, clock, 900)
    with pytest.raises(InvalidToken):
        signer.verify(token)
    with pytest.raises(InvalidToken):
        signer.verify("not.a.token")


@pytest.mark.parametrize(
    "claims",
    [
        {"sub": "7", "role": "owner", "iat": 1, "exp": 2_000, "iss": "milestone"},  # no owner
        {"sub": "7", "role": "operator", "owner": 3, "iat": 1, "exp": 2_000, "iss": "milestone"},
        {"sub": "7", "role": "king", "iat": 1, "exp": 2_000, "iss": "milestone"},
        {"sub": "x", "role": "operator", "iat": 1, "exp": 2_000, "iss": "milestone"},
        {"sub": "7", "role": "operator", "iat": 1, "exp": 2_000, "iss": "elsewhere"},
        {"sub": "7", "role": "operator", "iat": 1, "iss": "milestone"},  # never expires
    ],
)
def test_well_signed_but_malformed_claims_are_refused(claims: dict) -> None:
    signer = TokenSigner(SECRET, ManualClock(1_000), 900)
    with pytest.raises(InvalidToken):
        signer.verify(jwt.encode(claims, SECRET, algorithm="HS256"))


def test_unsigned_token_is_refused() -> None:
    signer = TokenSigner(SECRET, ManualClock(1_000), 900)
    claims = {"sub": "8", "role": "operator", "iat": 1, "exp": 2_000, "iss": "milestone"}
    with pytest.raises(InvalidToken):
        signer.verify(jwt.encode(claims, None, algorithm="none"))


def test_secret_is_created_once_and_kept(tmp_path) -> None:
    first = load_token_secret(tmp_path)
    assert len(first) >= 32 and load_token_secret(tmp_path) == first
    assert (tmp_path / "api-token-secret").stat().st_mode & 0o077 == 0
    assert load_token_secret(tmp_path, "y" * 40) == b"y" * 40
    with pytest.raises(ValueError):
        load_token_secret(tmp_path, "too short")
