"""Consent over HTTP: an owner's grants and revocations, receipts, and nobody else's."""

from __future__ import annotations

from fastapi.testclient import TestClient

from .conftest import People
from .support import assert_problem


def test_revoke_then_grant_again_chains_receipts(client: TestClient, people: People) -> None:
    ann = people.headers["ann"]
    vehicle_id = people.vehicles["ann"].vehicle_id
    state = client.get("/api/v1/consent", headers=ann).json()
    assert state == [
        {"vehicle_id": vehicle_id, "scopes": {"mileage": True, "driving_behavior": True}}
    ]
    revoked = client.post(
        "/api/v1/consent/revocations",
        json={"vehicle_id": vehicle_id, "scope": "driving_behavior"},
        headers=ann,
    )
    assert revoked.status_code == 201, revoked.text
    assert revoked.json()["deletion"]["scope"] == "driving_behavior"
    state = client.get("/api/v1/consent", headers=ann).json()
    assert state[0]["scopes"] == {"mileage": True, "driving_behavior": False}
    granted = client.post(
        "/api/v1/consent/grants",
        json={"vehicle_id": vehicle_id, "scope": "driving_behavior", "terms_version": "2026-02"},
        headers=ann,
    )
    assert granted.status_code == 201
    history = client.get("/api/v1/consent/history", headers=ann).json()
    assert [r["action"] for r in history["receipts"]] == ["grant", "grant", "revoke", "grant"]
    assert history["chain_valid"] is True and len(history["deletions"]) == 1


def test_owner_cannot_consent_for_another_owners_vehicle(
    client: TestClient, people: People
) -> None:
    bobs_vehicle = people.vehicles["bob"].vehicle_id
    response = client.post(
        "/api/v1/consent/grants",
        json={"vehicle_id": bobs_vehicle, "scope": "mileage", "terms_version": "2026-02"},
        headers=people.headers["ann"],
    )
    assert_problem(response, 403, "not_vehicle_owner")
    revoke = client.post(
        "/api/v1/consent/revocations",
        json={"vehicle_id": bobs_vehicle, "scope": "mileage"},
        headers=people.headers["ann"],
    )
    assert revoke.status_code in (403, 409)
    bob_state = client.get("/api/v1/consent", headers=people.headers["bob"]).json()
    assert bob_state[0]["scopes"]["mileage"] is True


def test_unknown_scope_and_repeated_grant_keep_their_codes(
    client: TestClient, people: People
) -> None:
    vehicle_id = people.vehicles["ann"].vehicle_id
    unknown = client.post(
        "/api/v1/consent/grants",
        json={"vehicle_id": vehicle_id, "scope": "location", "terms_version": "2026-01"},
        headers=people.headers["ann"],
    )
    assert_problem(unknown, 422, "invalid_request")  # `scope` is an enum in the schema
    repeated = client.post(
        "/api/v1/consent/grants",
        json={"vehicle_id": vehicle_id, "scope": "mileage", "terms_version": "2026-01"},
        headers=people.headers["ann"],
    )
    assert_problem(repeated, 409, "consent_already_granted")
