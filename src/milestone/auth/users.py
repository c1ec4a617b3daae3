"""Users: creating them, checking their passwords, and reading them back.

Functions take the caller's session and never commit (see `milestone.storage.database`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from argon2 import PasswordHasher
from sqlalchemy import insert, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from milestone.auth.errors import (
    InvalidCredentials,
    InvalidRole,
    InvalidUsername,
    OwnerAlreadyHasUser,
    UsernameTaken,
    UserNotFound,
)
from milestone.auth.models import UserRecord
from milestone.auth.passwords import (
    NewPassword,
    burn_verification_time,
    prepare_password,
    verify_password,
)
from milestone.auth.principals import Role
from milestone.clock import Clock
from milestone.registry.owners import get_owner

USERNAME_PATTERN = re.compile(r"[a-z0-9][a-z0-9._@+-]{2,63}")
"""3 to 64 characters, lower case after normalisation; e-mail addresses fit."""


@dataclass(frozen=True)
class User:
    id: int
    username: str
    role: Role
    owner_id: int | None
    created_at: int
    disabled_at: int | None

    @property
    def active(self) -> bool:
        return self.disabled_at is None


def normalize_username(username: str) -> str:
    """The stored form of a username: trimmed and lower-cased; `InvalidUsername` if malformed."""
    normalized = username.strip().lower()
    if not USERNAME_PATTERN.fullmatch(normalized):
        raise InvalidUsername(
            "a username has 3 to 64 letters, digits or . _ @ + -, starting with a letter or digit"
        )
    return normalized


def create_user(
    session: Session,
    clock: Clock,
    hasher: PasswordHasher,
    *,
    username: str,
    password: str | NewPassword,
    role: Role | str,
    owner_id: int | None = None,
) -> User:
    """A new user; an owner user names its registry owner, staff users do not. No commit."""
    role = _role(role)
    if (role is Role.OWNER) != (owner_id is not None):
        raise InvalidRole("exactly the users with the owner role are tied to a registry owner")
    normalized = normalize_username(username)
    password_hash = prepare_password(password, hasher).hash
    if _find_by_username(session, normalized) is not None:
        raise UsernameTaken(f"the username {normalized!r} is taken", username=normalized)
    if owner_id is not None:
        get_owner(session, owner_id)
        if find_user_by_owner(session, owner_id) is not None:
            raise OwnerAlreadyHasUser(f"owner {owner_id} already has a user", owner_id=owner_id)
    try:
        # A concurrent sign-up with the same name passes the checks above too (PostgreSQL at
        # READ COMMITTED); the unique index decides, inside a savepoint so the caller's unit
        # of work survives the refusal.
        with session.begin_nested():
            user_id = session.execute(
                insert(UserRecord)
                .values(
                    username=normalized, password_hash=password_hash, role=role.value,
                    owner_id=owner_id, created_at=clock.now(), disabled_at=None,
                )
                .returning(UserRecord.id)
            ).scalar_one()
    except IntegrityError:
        raise UsernameTaken(f"the username {normalized!r} is taken", username=normalized) from None
    return get_user(session, user_id)


def authenticate_user(
    session: Session, hasher: PasswordHasher, username: str, password: str
) -> User:
    """The active user with this username and password; `InvalidCredentials` otherwise.

    Unknown user, wrong password and disabled user fail alike and take as long, so the answer
    tells an attacker nothing about which usernames exist. Reads only: call it outside a write
    transaction, since the hash takes tens of milliseconds by design.
    """
    try:
        normalized = normalize_username(username)
    except InvalidUsername:
        normalized = None
    record = None if normalized is None else _find_by_username(session, normalized)
    if record is None:
        burn_verification_time(password, hasher)
        raise InvalidCredentials("wrong username or password")
    matches = verify_password(record.password_hash, password, hasher)
    if not matches or record.disabled_at is not None:
        raise InvalidCredentials("wrong username or password")
    return _user(record)


def password_needs_rehash(session: Session, hasher: PasswordHasher, user_id: int) -> bool:
    """Whether the user's hash was made with weaker parameters than `hasher`'s."""
    stored = session.execute(
        select(UserRecord.password_hash).where(UserRecord.id == user_id)
    ).scalar_one_or_none()
    return stored is not None and hasher.check_needs_rehash(stored)


def store_password_hash(session: Session, user_id: int, password: NewPassword) -> None:
    """Replace the user's hash (after a log-in found it outdated). No commit."""
    session.execute(
        update(UserRecord).where(UserRecord.id == user_id).values(password_hash=password.hash)
    )


def change_password(
    session: Session, hasher: PasswordHasher, user_id: int, password: str | NewPassword
) -> User:
    """Set a new password for the user. No commit."""
    password_hash = prepare_password(password, hasher).hash
    get_user(session, user_id)
    session.execute(
        update(UserRecord).where(UserRecord.id == user_id).values(password_hash=password_hash)
    )
    return get_user(session, user_id)


def disable_user(session: Session, clock: Clock, user_id: int) -> User:
    """Refuse the user's future log-ins (tokens already issued run out on their own). No commit."""
    user = get_user(session, user_id)
    if user.active:
        session.execute(
            update(UserRecord).where(UserRecord.id == user_id).values(disabled_at=clock.now())
        )
    return get_user(session, user_id)


def get_user(session: Session, user_id: int) -> User:
    record = session.get(UserRecord, user_id, populate_existing=True)
    if record is None:
        raise UserNotFound(f"no user {user_id}", user_id=user_id)
    return _user(record)


def find_user_by_owner(session: Session, owner_id: int) -> User | None:
    record = session.execute(
        select(UserRecord).where(UserRecord.owner_id == owner_id)
    ).scalar_one_or_none()
    return None if record is None else _user(record)


def find_user_by_username(session: Session, username: str) -> User | None:
    try:
        normalized = normalize_username(username)
    except InvalidUsername:
        return None
    record = _find_by_username(session, normalized)
    return None if record is None else _user(record)


def list_users(session: Session, role: Role | None = None) -> list[User]:
    query = select(UserRecord).order_by(UserRecord.id)
    if role is not None:
        query = query.where(UserRecord.role == role.value)
    return [_user(record) for record in session.execute(query).scalars()]


def _find_by_username(session: Session, normalized: str) -> UserRecord | None:
    return session.execute(
        select(UserRecord).where(UserRecord.username == normalized)
    ).scalar_one_or_none()


def _role(role: Role | str) -> Role:
    try:
        return Role(role)
    except ValueError:
        raise InvalidRole(f"no role {role!r}; roles are {', '.join(Role)}") from None


def _user(record: UserRecord) -> User:
    return User(
        id=record.id, username=record.username, role=Role(record.role), owner_id=record.owner_id,
        created_at=record.created_at, disabled_at=record.disabled_at,
    )
