"""The OpenAPI document says what the code checks: what it admits is accepted, what it refuses
never reaches a service, and OPTIONS names every method of a path."""

from __future__ import annotations

from pathlib import Path

from fastapi.testclient import TestClient

from milestone.api.app import openapi_document
from milestone.api.problems import HTTP_CODES

from .conftest import People


def test_a_username_the_code_refuses_is_refused_by_the_schema(client: TestClient) -> None:
    body = openapi_document()["components"]["schemas"]["OwnerCreate"]
    assert body["properties"]["username"]["pattern"] == "^[A-Za-z0-9][A-Za-z0-9._@+-]{2,63}$"
    refused = client.post("/api/v1/owners", json={"username": "0", "password": "a long secret"})
    assert refused.status_code == 422
    assert refused.json()["code"] == "invalid_request"  # the schema's refusal, not the service's
    accepted = client.post("/api/v1/owners", json={"username": "Zoe", "password": "a long secret"})
    assert accepted.status_code == 201, accepted.text


def test_a_duplicate_merchant_name_is_a_conflict(client: TestClient, people: People) -> None:
    operator = people.headers["olga"]
    first = client.post("/api/v1/store/merchants", json={"name": "cafe"}, headers=operator)
    assert first.is_success
    again = client.post("/api/v1/store/merchants", json={"name": "cafe"}, headers=operator)
    assert again.status_code == 409
    assert again.json()["code"] == "merchant_name_taken"


def test_amounts_are_strings_of_digits_and_other_integers_are_integers(
    client: TestClient, people: People
) -> None:
    shop = people.headers["shop"]

    def item(**fields: object) -> int:
        body = {"sku": f"S{len(fields)}{sorted(fields)}", "title": "Tea", **fields}
        return client.post("/api/v1/store/items", json=body, headers=shop).status_code

    assert item(price=10) == 422
    assert item(price="010") == 422
    assert item(price="-1") == 422
    assert item(price="10", stock=True) == 422
    assert item(price="10", stock="5") == 422
    assert item(price="0", cash_fen="0") == 422  # free: the schema's anyOf refuses it
    assert item(price="10", stock=5.0) == 201  # JSON Schema's integer 5
    assert item(price="10") == 201


def test_a_quantity_of_true_is_not_an_integer(client: TestClient, people: People) -> None:
    refused = client.post(
        "/api/v1/store/orders", json={"item_id": 1, "quantity": True},
        headers={**people.headers["ann"], "Idempotency-Key": "q1"},
    )
    assert refused.status_code == 422
    assert refused.json()["errors"][0]["loc"] == ["body", "quantity"]


def test_options_names_every_method_of_the_path(client: TestClient, people: People) -> None:
    answer = client.options("/api/v1/store/merchants")
    assert answer.status_code == 204
    assert answer.headers["allow"] == "GET, POST, OPTIONS"
    refused = client.delete("/api/v1/store/merchants", headers=people.headers["olga"])
    assert refused.status_code == 405
    assert refused.json()["code"] == "method_not_allowed"
    assert refused.headers["allow"] == "GET, POST, OPTIONS"
    assert client.options("/api/v1/nowhere").status_code == 404


def test_every_code_of_the_api_itself_is_in_docs_api_md() -> None:
    doc = (Path(__file__).resolve().parents[2] / "docs" / "api.md").read_text()
    missing = [code for code in HTTP_CODES.values() if f"`{code}`" not in doc]
    assert missing == []
    assert "`invalid_request`" in doc and "`idempotency_key_reused`" in doc


def test_an_instant_past_the_year_9999_is_refused_by_the_schema(
    client: TestClient, people: People
) -> None:
    body = {"name": "far", "budget": "1", "reward": "1", "per_owner_cap": 1,
            "proof": "operator", "starts_at": 0, "ends_at": 1_099_511_627_775}
    refused = client.post("/api/v1/activities/campaigns", json=body, headers=people.headers["olga"])
    assert refused.status_code == 422  # not a 500 when the answer would render the year 36812
    assert refused.json()["errors"][0]["loc"] == ["body", "ends_at"]
