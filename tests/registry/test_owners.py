"""Owners: pseudonymous addresses, their ledger account, salted identity hashes."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from milestone.clock import ManualClock
from milestone.ledger.accounts import owner_account
from milestone.ledger.models import AccountRecord as Account
from milestone.program.service import Program
from milestone.registry.errors import InvalidIdentity, UnknownOwner
from milestone.registry.owners import (
    create_owner,
    derive_owner_address,
    find_owner_by_address,
    get_owner,
    hash_identity,
    owners_sharing_identity,
    set_identity,
)
from milestone.rules.hashing import keccak256
from milestone.storage import Database


def test_the_address_is_the_tail_of_the_salted_hash_of_the_id() -> None:
    salt = bytes(range(32))
    expected = keccak256(salt + (7).to_bytes(32, "big"))[12:]
    assert derive_owner_address(salt, 7) == expected
    assert len(expected) == 20
    assert derive_owner_address(salt, 8) != expected
    assert derive_owner_address(bytes(32), 7) != expected


def test_a_new_owner_gets_its_address_and_an_open_ledger_account(
    database: Database, clock: ManualClock, program: Program
) -> None:
    with database.transaction() as session:
        first, second = create_owner(session, clock), create_owner(session, clock)
    assert first.address == derive_owner_address(program.pseudonym_salt, first.id)
    assert second.address == derive_owner_address(program.pseudonym_salt, second.id)
    with database.session() as session:
        assert find_owner_by_address(session, second.address) is not None
        assert find_owner_by_address(session, bytes(20)) is None
        opened = session.execute(select(Account.name)).scalars().all()
        assert {owner_account(first.id), owner_account(second.id)} <= set(opened)
        with pytest.raises(UnknownOwner):
            get_owner(session, 999)


def test_owners_sharing_a_verified_phone_are_found(
    database: Database, clock: ManualClock, program: Program
) -> None:
    with database.transaction() as session:
        alice = create_owner(session, clock, phone="+8613800000001")
        bob = create_owner(session, clock)
        carol = create_owner(session, clock, payment="6222000011112222")
        set_identity(session, bob.id, phone="+8613800000001")
    with database.session() as session:
        assert owners_sharing_identity(session, alice.id) == [bob.id]
        assert owners_sharing_identity(session, carol.id) == []
    assert alice.phone_hash == hash_identity(program.pseudonym_salt, "phone", "+8613800000001")
    assert alice.phone_hash != hash_identity(bytes(32), "phone", "+8613800000001")
    assert hash_identity(bytes(32), "phone", "1") != hash_identity(bytes(32), "payment", "1")


@pytest.mark.parametrize("value", ["", "x" * 201, 12345])
def test_an_empty_or_oversized_identity_is_refused(value: object) -> None:
    with pytest.raises(InvalidIdentity):
        hash_identity(bytes(32), "phone", value)  # type: ignore[arg-type]
