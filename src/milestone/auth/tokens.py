"""Log-in tokens: short-lived JWTs (HS256) naming the user, their role and their owner id.

Tokens are checked without the database: a token stays valid until it expires even if its user
is disabled meanwhile, which is why it lives minutes, not days. Expiry is checked against the
program's injected clock, not the wall clock, so simulated time applies to tokens too.
"""

from __future__ import annotations

import contextlib
import os
import secrets
import tempfile
from dataclasses import dataclass
from pathlib import Path

import jwt

from milestone.auth.errors import InvalidToken, TokenExpired
from milestone.auth.principals import Principal, Role
from milestone.auth.users import User
from milestone.clock import Clock

ALGORITHM = "HS256"
ISSUER = "milestone"
SECRET_FILE = "api-token-secret"
SECRET_BYTES = 32
REQUIRED_CLAIMS = ("sub", "role", "iat", "exp", "iss")


@dataclass(frozen=True)
class IssuedToken:
    token: str
    expires_at: int


class TokenSigner:
    """Issues and checks the tokens of one secret."""

    def __init__(self, secret: bytes, clock: Clock, ttl_seconds: int) -> None:
        if len(secret) < SECRET_BYTES:
            raise ValueError(f"a token secret has at least {SECRET_BYTES} bytes")
        self._secret = secret
        self._clock = clock
        self.ttl_seconds = ttl_seconds

    def issue(self, user: User) -> IssuedToken:
        now = self._clock.now()
        claims: dict[str, object] = {
            "sub": str(user.id), "role": user.role.value, "iat": now,
            "exp": now + self.ttl_seconds, "iss": ISSUER,
        }
        if user.owner_id is not None:
            claims["owner"] = user.owner_id
        token = jwt.encode(claims, self._secret, algorithm=ALGORITHM)
        return IssuedToken(token, now + self.ttl_seconds)

    def verify(self, token: str) -> Principal:
        """The principal of a token this signer issued and that has not expired."""
        try:
            claims = jwt.decode(
                token, self._secret, algorithms=[ALGORITHM], issuer=ISSUER,
                options={
                    "verify_exp": False, "verify_iat": False, "require": list(REQUIRED_CLAIMS)
                },
            )
        except jwt.PyJWTError:
            raise InvalidToken("the token is malformed or not signed by this service") from None
        try:
            expires_at, subject, role = int(claims["exp"]), int(claims["sub"]), Role(claims["role"])
            owner = claims.get("owner")
            owner_id = None if owner is None else int(owner)
        except (TypeError, ValueError):
            raise InvalidToken("the token's claims are malformed") from None
        if self._clock.now() >= expires_at:
            raise TokenExpired("the token has expired: log in again")
        if (role is Role.OWNER) != (owner_id is not None):
            raise InvalidToken("the token's claims are malformed")
        return Principal(kind="user", subject=subject, role=role, owner_id=owner_id)


def load_token_secret(data_dir: Path, configured: str | None = None) -> bytes:
    """The configured secret, else the one kept in `data_dir` (created on first use)."""
    if configured:
        if len(configured.encode()) < SECRET_BYTES:
            raise ValueError(f"the configured token secret needs at least {SECRET_BYTES} bytes")
        return configured.encode()
    path = data_dir / SECRET_FILE
    if not path.exists():
        data_dir.mkdir(parents=True, exist_ok=True)
        # Written aside, then linked into place: linking fails if the name exists, so of
        # several workers starting together exactly one secret wins and nobody reads half of it.
        descriptor, staging = tempfile.mkstemp(dir=data_dir, prefix=".secret-")
        try:
            with os.fdopen(descriptor, "w") as file:
                file.write(secrets.token_hex(SECRET_BYTES))
            with contextlib.suppress(FileExistsError):
                os.link(staging, path)
        finally:
            os.unlink(staging)
    return path.read_text().strip().encode()
