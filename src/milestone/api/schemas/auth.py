"""Bodies of log-in, the caller's identity, and API keys."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field

from milestone.api.schemas.common import Instant
from milestone.auth.keys import ApiKey, IssuedKey
from milestone.auth.principals import KeyHolder, Role
from milestone.auth.users import User


class LoginCreate(BaseModel):
    username: str = Field(min_length=1, max_length=64)
    password: str = Field(min_length=1, max_length=256)


class TokenPublic(BaseModel):
    access_token: str
    token_type: Literal["bearer"] = "bearer"
    expires_at: Instant
    role: Role
    owner_id: int | None


class PasswordUpdate(BaseModel):
    current_password: str = Field(min_length=1, max_length=256)
    new_password: str = Field(min_length=1, max_length=256)


class UserPublic(BaseModel):
    id: int
    username: str
    role: Role
    owner_id: int | None
    created_at: Instant
    active: bool

    @classmethod
    def of(cls, user: User) -> UserPublic:
        return cls(
            id=user.id, username=user.username, role=user.role, owner_id=user.owner_id,
            created_at=Instant.of(user.created_at), active=user.active,
        )


class ApiKeyCreate(BaseModel):
    holder: KeyHolder
    merchant_id: int | None = Field(default=None, ge=1, le=2**63 - 1)
    """Required for a merchant key, absent for the sales system's."""
    label: str = Field(default="", max_length=64)


class ApiKeyPublic(BaseModel):
    id: int
    prefix: str
    holder: KeyHolder
    merchant_id: int | None
    label: str
    created_at: Instant
    revoked_at: Instant | None

    @classmethod
    def of(cls, key: ApiKey) -> ApiKeyPublic:
        return cls(
            id=key.id, prefix=key.prefix, holder=key.holder, merchant_id=key.merchant_id,
            label=key.label, created_at=Instant.of(key.created_at),
            revoked_at=None if key.revoked_at is None else Instant.of(key.revoked_at),
        )


class IssuedKeyPublic(BaseModel):
    key: ApiKeyPublic
    secret: str
    """The API key itself; shown this once, never stored by the service."""

    @classmethod
    def of(cls, issued: IssuedKey) -> IssuedKeyPublic:
        return cls(key=ApiKeyPublic.of(issued.key), secret=issued.secret)
