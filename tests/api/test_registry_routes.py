"""Owners and vehicles over HTTP: sign-up, profiles, registration, transfers, keys."""

from __future__ import annotations

from fastapi.testclient import TestClient
from sqlalchemy import func, select

from milestone.registry.models import Owner
from milestone.registry.vin import synthetic_vin
from milestone.storage import Database
from milestone.vehicle import generate_signing_key

from .conftest import People
from .support import PASSWORD, assert_problem


def key_hex() -> str:
    return "0x" + bytes(generate_signing_key().verify_key).hex()


def test_sign_up_creates_an_owner_that_can_log_in(client: TestClient) -> None:
    response = client.post("/api/v1/owners", json={"username": "Carla", "password": PASSWORD})
    assert response.status_code == 201, response.text
    body = response.json()
    owner = body["owner"]
    assert owner["username"] == "carla" and owner["vehicles"] == []
    assert owner["address"].startswith("0x") and len(owner["address"]) == 42
    headers = {"Authorization": f"Bearer {body['token']['access_token']}"}
    assert client.get("/api/v1/owners/me", headers=headers).json()["id"] == owner["id"]
    login = client.post("/api/v1/auth/login", json={"username": "carla", "password": PASSWORD})
    assert login.json()["owner_id"] == owner["id"]


def test_refused_sign_up_leaves_no_owner_behind(
    client: TestClient, people: People, database: Database
) -> None:
    taken = client.post("/api/v1/owners", json={"username": "ann", "password": PASSWORD})
    assert_problem(taken, 409, "username_taken")
    weak = client.post("/api/v1/owners", json={"username": "dora", "password": "short"})
    assert_problem(weak, 422, "invalid_request")  # the schema states the password rules
    with database.session() as session:
        assert session.execute(select(func.count()).select_from(Owner)).scalar_one() == 2


def test_owner_sees_own_vehicle(client: TestClient, people: People) -> None:
    me = client.get("/api/v1/owners/me", headers=people.headers["ann"]).json()
    assert [vehicle["id"] for vehicle in me["vehicles"]] == [people.vehicles["ann"].vehicle_id]


def test_operator_registers_transfers_and_rotates(client: TestClient, people: People) -> None:
    operator = people.headers["olga"]
    created = client.post(
        "/api/v1/vehicles",
        json={"vin": synthetic_vin(77), "public_key": key_hex(), "model": "L7"},
        headers=operator,
    )
    assert created.status_code == 201, created.text
    vehicle = created.json()
    assert vehicle["owner_id"] is None and [key["serial"] for key in vehicle["keys"]] == [1]
    vehicle_id = vehicle["id"]
    bob = people.owner_ids["bob"]
    moved = client.post(
        f"/api/v1/vehicles/{vehicle_id}/transfer", json={"owner_id": bob}, headers=operator
    )
    assert moved.status_code == 200 and moved.json()["owner_id"] == bob
    again = client.post(
        f"/api/v1/vehicles/{vehicle_id}/transfer", json={"owner_id": bob}, headers=operator
    )
    assert_problem(again, 409, "already_owner")
    rotated = client.post(
        f"/api/v1/vehicles/{vehicle_id}/keys", json={"public_key": key_hex()}, headers=operator
    )
    assert rotated.status_code == 201 and rotated.json()["serial"] == 2
    revoked = client.post(
        f"/api/v1/vehicles/{vehicle_id}/keys/revoke", json={"reason": "stolen"}, headers=operator
    )
    assert revoked.json()["serial"] == 2 and revoked.json()["revoke_reason"] == "stolen"
    view = client.get(f"/api/v1/vehicles/{vehicle_id}", headers=people.headers["aldo"]).json()
    assert view["owner_id"] == bob and len(view["keys"]) == 2
    history = client.get(f"/api/v1/vehicles/{vehicle_id}/ownership", headers=operator).json()
    assert [binding["owner_id"] for binding in history] == [bob]
    released = client.post(f"/api/v1/vehicles/{vehicle_id}/release", headers=operator)
    assert released.json()["ended_at"] is not None


def test_bad_vehicle_input_is_refused_with_the_registry_codes(
    client: TestClient, people: People
) -> None:
    operator = people.headers["olga"]
    bad_vin = client.post(
        "/api/v1/vehicles", json={"vin": "NOT-A-VIN", "public_key": key_hex()}, headers=operator
    )
    assert_problem(bad_vin, 422, "invalid_request")  # not even VIN characters: the schema
    wrong_check_digit = client.post(
        "/api/v1/vehicles", json={"vin": "LMSCSP70XSM000001", "public_key": key_hex()},
        headers=operator,
    )  # the `vin` format's arithmetic is the registry's
    assert_problem(wrong_check_digit, 422, "invalid_vin")
    not_a_point = client.post(
        "/api/v1/vehicles",
        json={"vin": synthetic_vin(78), "public_key": "0x" + "ff" * 32},
        headers=operator,
    )
    assert_problem(not_a_point, 422, "invalid_public_key")
    used_key = "0x" + people.vehicles["ann"].public_key.hex()
    reused = client.post(
        "/api/v1/vehicles",
        json={"vin": synthetic_vin(79), "public_key": used_key},
        headers=operator,
    )
    assert_problem(reused, 409, "public_key_in_use")
    listed = client.get("/api/v1/vehicles", headers=operator).json()
    assert len(listed) == 2  # only the two of the fixture


def test_identity_is_recorded_and_shared_ones_are_flagged(
    client: TestClient, people: People
) -> None:
    operator = people.headers["olga"]
    ann, bob = people.owner_ids["ann"], people.owner_ids["bob"]
    for owner_id in (ann, bob):
        response = client.put(
            f"/api/v1/owners/{owner_id}/identity",
            json={"phone": "+8613800000000"},
            headers=operator,
        )
        assert response.status_code == 200
    view = client.get(f"/api/v1/owners/{ann}", headers=people.headers["aldo"]).json()
    assert view["has_phone"] is True and view["sharing_identity_with"] == [bob]
