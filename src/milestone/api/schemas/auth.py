"""Bodies of log-in and of the caller's identity."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field

from milestone.api.schemas.common import Instant
from milestone.auth.principals import Role
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
