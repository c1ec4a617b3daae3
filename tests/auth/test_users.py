"""Users: creation rules, log-in, disabling, password changes."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from milestone.auth import FAST_HASHER, authenticate_user, create_user, disable_user
from milestone.auth.errors import (
    InvalidCredentials,
    InvalidRole,
    InvalidUsername,
    OwnerAlreadyHasUser,
    UsernameTaken,
    WeakPassword,
)
from milestone.auth.models import UserRecord
from milestone.auth.passwords import STRONG_HASHER, prepare_password
from milestone.auth.users import (
    change_password,
    list_users,
    password_needs_rehash,
    store_password_hash,
)
from milestone.clock import ManualClock
from milestone.program.service import Program
from milestone.registry.errors import UnknownOwner
from milestone.registry.owners import create_owner
from milestone.storage import Database

PASSWORD = "a long enough secret"


def make(
    database: Database,
    clock: ManualClock,
    username: str = "Olga",
    role: str = "operator",
    owner_id: int | None = None,
    password: str = PASSWORD,
):
    return database.run(
        lambda s: create_user(
            s,
            clock,
            FAST_HASHER,
            username=username,
            password=password,
            role=role,
            owner_id=owner_id,
        )
    )


def test_created_user_logs_in_case_insensitively(database: Database, clock: ManualClock) -> None:
    user = make(database, clock)
    assert user.username == "olga" and user.role == "operator" and user.active
    logged_in = database.run(lambda s: authenticate_user(s, FAST_HASHER, "OLGA", PASSWORD))
    assert logged_in.id == user.id


def test_password_is_stored_as_an_argon2id_hash(database: Database, clock: ManualClock) -> None:
    make(database, clock)
    with database.session() as session:
        stored = session.execute(select(UserRecord.password_hash)).scalar_one()
    assert stored.startswith("$argon2id$") and PASSWORD not in stored


@pytest.mark.parametrize("username", ["ab", "-leading", "has space", "x" * 65, "ünïcode"])
def test_malformed_username_is_refused(
    database: Database, clock: ManualClock, username: str
) -> None:
    with pytest.raises(InvalidUsername):
        make(database, clock, username=username)
    assert list_users_now(database) == []


@pytest.mark.parametrize("password", ["short", " padded password ", "x" * 257, "tab\tinside it"])
def test_weak_password_is_refused(database: Database, clock: ManualClock, password: str) -> None:
    with pytest.raises(WeakPassword):
        make(database, clock, password=password)
    assert list_users_now(database) == []


def test_taken_username_is_refused_whatever_its_case(
    database: Database, clock: ManualClock
) -> None:
    make(database, clock)
    with pytest.raises(UsernameTaken):
        make(database, clock, username="OLGA", role="auditor")
    assert [user.role for user in list_users_now(database)] == ["operator"]


def test_owner_role_goes_with_an_owner_id_and_only_with_it(
    database: Database, clock: ManualClock, program: Program
) -> None:
    owner_id = database.run(lambda s: create_owner(s, clock).id)
    with pytest.raises(InvalidRole):
        make(database, clock, username="ann", role="owner")
    with pytest.raises(InvalidRole):
        make(database, clock, username="olga", role="operator", owner_id=owner_id)
    with pytest.raises(InvalidRole):
        make(database, clock, username="zed", role="superuser")
    with pytest.raises(UnknownOwner):
        make(database, clock, username="ann", role="owner", owner_id=owner_id + 1)
    owner = make(database, clock, username="ann", role="owner", owner_id=owner_id)
    assert owner.owner_id == owner_id
    with pytest.raises(OwnerAlreadyHasUser):
        make(database, clock, username="ann2", role="owner", owner_id=owner_id)


def test_wrong_password_unknown_user_and_disabled_user_fail_alike(
    database: Database, clock: ManualClock
) -> None:
    user = make(database, clock)
    failures = []
    for username, password in (
        ("olga", "a wrong password"),
        ("nobody", PASSWORD),
        ("?!", PASSWORD),
    ):
        with pytest.raises(InvalidCredentials) as error:
            database.run(lambda s, u=username, p=password: authenticate_user(s, FAST_HASHER, u, p))
        failures.append(error.value.message)
    database.run(lambda s: disable_user(s, clock, user.id))
    with pytest.raises(InvalidCredentials) as error:
        database.run(lambda s: authenticate_user(s, FAST_HASHER, "olga", PASSWORD))
    failures.append(error.value.message)
    assert len(set(failures)) == 1


def test_change_password_replaces_the_old_one(database: Database, clock: ManualClock) -> None:
    user = make(database, clock)
    database.run(lambda s: change_password(s, FAST_HASHER, user.id, "another long secret"))
    with pytest.raises(InvalidCredentials):
        database.run(lambda s: authenticate_user(s, FAST_HASHER, "olga", PASSWORD))
    database.run(lambda s: authenticate_user(s, FAST_HASHER, "olga", "another long secret"))


def test_a_weaker_hash_is_found_and_replaced(database: Database, clock: ManualClock) -> None:
    user = make(database, clock)
    with database.session() as session:
        assert password_needs_rehash(session, STRONG_HASHER, user.id)
        assert not password_needs_rehash(session, FAST_HASHER, user.id)
    upgraded = prepare_password(PASSWORD, STRONG_HASHER)
    database.run(lambda s: store_password_hash(s, user.id, upgraded))
    with database.session() as session:
        assert not password_needs_rehash(session, STRONG_HASHER, user.id)
        assert authenticate_user(session, FAST_HASHER, "olga", PASSWORD).id == user.id


def list_users_now(database: Database):
    with database.session() as session:
        return list_users(session)
