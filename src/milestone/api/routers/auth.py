"""Logging in, who am I, and changing one's password."""

from __future__ import annotations

from fastapi import APIRouter

from milestone.api.deps import (
    ContextDep,
    CurrentUser,
    DatabaseDep,
    LoginLimit,
    PrimarySessionDep,
    SessionDep,
)
from milestone.api.problems import problem_responses
from milestone.api.schemas.auth import LoginCreate, PasswordUpdate, TokenPublic, UserPublic
from milestone.api.schemas.common import Instant
from milestone.auth import users
from milestone.auth.passwords import NewPassword, prepare_password

router = APIRouter(prefix="/auth", tags=["auth"], responses=problem_responses(401, 422, 429))


@router.post("/login", dependencies=[LoginLimit], summary="Exchange a password for a token")
def login(
    body: LoginCreate, context: ContextDep, session: PrimarySessionDep, database: DatabaseDep
) -> TokenPublic:
    """A short-lived bearer token for an owner, operator or auditor."""
    user = users.authenticate_user(session, context.hasher, body.username, body.password)
    if users.password_needs_rehash(session, context.hasher, user.id):
        upgraded = NewPassword(context.hasher.hash(body.password))
        database.run(lambda s: users.store_password_hash(s, user.id, upgraded))
    issued = context.signer.issue(user)
    return TokenPublic(
        access_token=issued.token, expires_at=Instant.of(issued.expires_at), role=user.role,
        owner_id=user.owner_id,
    )


@router.get("/me", summary="The logged-in user")
def read_me(user: CurrentUser, session: SessionDep) -> UserPublic:
    return UserPublic.of(users.get_user(session, user.subject))


@router.post(
    "/password", dependencies=[LoginLimit], summary="Change one's password",
    responses=problem_responses(403),
)
def change_password(
    body: PasswordUpdate,
    user: CurrentUser,
    context: ContextDep,
    session: PrimarySessionDep,
    database: DatabaseDep,
) -> UserPublic:
    """Needs the current password too, so a stolen token alone cannot take the account over."""
    current = users.get_user(session, user.subject)
    users.authenticate_user(session, context.hasher, current.username, body.current_password)
    new_password = prepare_password(body.new_password, context.hasher)
    changed = database.run(
        lambda s: users.change_password(s, context.hasher, user.subject, new_password)
    )
    return UserPublic.of(changed)
