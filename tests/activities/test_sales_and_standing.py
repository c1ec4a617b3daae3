"""Sales systems' keys, and owners' standing (certified, revoked)."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from nacl.signing import SigningKey

from milestone.activities.errors import InvalidSalesSystem, OwnerRevoked, SalesSystemTaken
from milestone.activities.sales import authenticate_sales_system, register_sales_system
from milestone.activities.standing import (
    certify_owner,
    require_in_good_standing,
    revoke_owner,
    standing_of,
)
from milestone.apikeys import InvalidApiKey
from milestone.clock import ManualClock
from milestone.program.service import Program
from milestone.registry.errors import InvalidPublicKey, UnknownOwner
from milestone.storage import Database


def test_a_sales_system_authenticates_with_its_key(
    database: Database, clock: ManualClock, program: Program
) -> None:
    with database.transaction() as session:
        system, key = register_sales_system(
            session, clock, "Store", bytes(SigningKey.generate().verify_key)
        )
    with database.session() as session:
        assert authenticate_sales_system(session, key).id == system.id
        for wrong in (
            key[:-1] + ("A" if key[-1] != "A" else "B"),
            "ss_nope",
            key.replace("ss_", "mk_", 1),
            "",
        ):
            with pytest.raises(InvalidApiKey) as raised:
                authenticate_sales_system(session, wrong)
            assert raised.value.code == "invalid_api_key"


def test_sales_systems_need_a_name_and_a_real_key(
    database: Database, clock: ManualClock, program: Program
) -> None:
    key = bytes(SigningKey.generate().verify_key)
    with database.transaction() as session:
        register_sales_system(session, clock, "Store", key)
    with pytest.raises(SalesSystemTaken), database.transaction() as session:
        register_sales_system(session, clock, "Store", bytes(SigningKey.generate().verify_key))
    with pytest.raises(SalesSystemTaken), database.transaction() as session:
        register_sales_system(session, clock, "Other", key)
    with pytest.raises(InvalidPublicKey), database.transaction() as session:
        register_sales_system(session, clock, "Other", b"\x01" * 31)
    with pytest.raises(InvalidSalesSystem), database.transaction() as session:
        register_sales_system(session, clock, " ", bytes(SigningKey.generate().verify_key))


def test_the_first_certification_and_revocation_count(
    database: Database, clock: ManualClock, make_owner: Callable[[], int]
) -> None:
    owner = make_owner()
    with database.session() as session:
        assert standing_of(session, owner).certified_at is None
    certified_at = clock.now()
    with database.transaction() as session:
        certify_owner(session, clock, owner)
    clock.advance(100)
    with database.transaction() as session:
        assert certify_owner(session, clock, owner).certified_at == certified_at
        require_in_good_standing(session, owner)
        revoke_owner(session, clock, owner, "fraud")
    with database.session() as session:
        standing = standing_of(session, owner)
        assert standing.revoked and standing.certified_at == certified_at
        with pytest.raises(OwnerRevoked):
            require_in_good_standing(session, owner)
        with pytest.raises(UnknownOwner):
            standing_of(session, owner + 1)
