"""Bodies of log-in and of the caller's identity."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, Field

from milestone.api.schemas.common import Instant
from milestone.api.schemas.requests import RequestModel
from milestone.auth.passwords import MAX_PASSWORD_LENGTH, MIN_PASSWORD_LENGTH, PASSWORD_PATTERN
from milestone.auth.principals import Role
from milestone.auth.users import USERNAME_PATTERN, User

USERNAME_SCHEMA_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9._@+-]{2,63}$"
"""A username as sent: `USERNAME_PATTERN` in either case (it is stored lower-case)."""
assert USERNAME_PATTERN.pattern == r"[a-z0-9][a-z0-9._@+-]{2,63}"

NewPasswordText = Annotated[
    str,
    Field(
        min_length=MIN_PASSWORD_LENGTH, max_length=MAX_PASSWORD_LENGTH,
        pattern=f"^{PASSWORD_PATTERN.pattern}$",
        description="No control characters, no white space at either end.",
    ),
]


class LoginCreate(RequestModel):
    username: str = Field(min_length=1, max_length=64)
    password: str = Field(min_length=1, max_length=256)


class TokenPublic(BaseModel):
    access_token: str
    token_type: Literal["bearer"] = "bearer"
    expires_at: Instant
    role: Role
    owner_id: int | None


class PasswordUpdate(RequestModel):
    current_password: str = Field(min_length=1, max_length=256)
    new_password: NewPasswordText


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
