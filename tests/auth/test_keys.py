"""API keys: issued once, stored by digest, revocable."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from milestone.auth import authenticate_api_key, issue_api_key, revoke_api_key
from milestone.auth.errors import ApiKeyNotFound, InvalidApiKey, InvalidRole
from milestone.auth.keys import list_api_keys
from milestone.auth.models import ApiKeyRecord
from milestone.clock import ManualClock
from milestone.storage import Database


def test_issued_key_authenticates_and_only_its_digest_is_kept(
    database: Database, clock: ManualClock
) -> None:
    issued = database.run(
        lambda s: issue_api_key(s, clock, "merchant", merchant_id=5, label="shop")
    )
    assert issued.secret.startswith("msk_") and len(issued.secret) > 40
    with database.session() as session:
        key = authenticate_api_key(session, issued.secret)
        stored = session.execute(select(ApiKeyRecord.digest, ApiKeyRecord.prefix)).one()
    assert key.merchant_id == 5 and key.holder == "merchant" and key.label == "shop"
    assert issued.secret.encode() not in stored.digest and issued.secret.startswith(stored.prefix)


def test_unknown_and_revoked_keys_are_refused(database: Database, clock: ManualClock) -> None:
    issued = database.run(lambda s: issue_api_key(s, clock, "sales"))
    with database.session() as session, pytest.raises(InvalidApiKey):
        authenticate_api_key(session, issued.secret + "x")
    revoked = database.run(lambda s: revoke_api_key(s, clock, issued.key.id))
    assert revoked.revoked_at == clock.now()
    with database.session() as session, pytest.raises(InvalidApiKey):
        authenticate_api_key(session, issued.secret)
    again = database.run(lambda s: revoke_api_key(s, clock, issued.key.id))
    assert again.revoked_at == revoked.revoked_at


def test_merchant_keys_name_a_merchant_and_sales_keys_do_not(
    database: Database, clock: ManualClock
) -> None:
    with pytest.raises(InvalidRole):
        database.run(lambda s: issue_api_key(s, clock, "merchant"))
    with pytest.raises(InvalidRole):
        database.run(lambda s: issue_api_key(s, clock, "sales", merchant_id=1))
    with pytest.raises(InvalidRole):
        database.run(lambda s: issue_api_key(s, clock, "vehicle"))
    with database.session() as session:
        assert list_api_keys(session) == []


def test_revoking_an_unknown_key_is_refused(database: Database, clock: ManualClock) -> None:
    with pytest.raises(ApiKeyNotFound):
        database.run(lambda s: revoke_api_key(s, clock, 42))
