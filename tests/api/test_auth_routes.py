"""Log-in, the caller's identity and password changes over HTTP."""

from __future__ import annotations

from fastapi.testclient import TestClient

from .conftest import People
from .support import PASSWORD, assert_problem


def test_login_returns_a_bearer_token_with_role(client: TestClient, people: People) -> None:
    response = client.post("/api/v1/auth/login", json={"username": "ANN", "password": PASSWORD})
    assert response.status_code == 200
    body = response.json()
    assert body["token_type"] == "bearer" and body["role"] == "owner" and body["owner_id"] == 1
    me = client.get("/api/v1/auth/me", headers={"Authorization": f"Bearer {body['access_token']}"})
    assert me.json()["username"] == "ann"


def test_wrong_password_is_401_invalid_credentials(client: TestClient, people: People) -> None:
    response = client.post("/api/v1/auth/login", json={"username": "ann", "password": "wrong one!"})
    assert_problem(response, 401, "invalid_credentials")


def test_missing_and_bad_tokens_are_told_apart(client: TestClient, people: People, clock) -> None:
    assert_problem(client.get("/api/v1/auth/me"), 401, "not_authenticated")
    bad = {"Authorization": "Bearer nonsense"}
    assert_problem(client.get("/api/v1/auth/me", headers=bad), 401, "invalid_token")
    clock.advance(86_400)
    assert_problem(
        client.get("/api/v1/auth/me", headers=people.headers["ann"]), 401, "token_expired"
    )


def test_api_key_is_not_a_token(client: TestClient, people: People) -> None:
    assert_problem(
        client.get("/api/v1/auth/me", headers=people.headers["shop"]), 401, "not_authenticated"
    )


def test_change_password_needs_the_current_one(client: TestClient, people: People) -> None:
    headers = people.headers["bob"]
    body = {"current_password": "not the one", "new_password": "a fresh long secret"}
    assert_problem(
        client.post("/api/v1/auth/password", json=body, headers=headers), 401, "invalid_credentials"
    )
    body = {"current_password": PASSWORD, "new_password": "short"}
    assert_problem(
        client.post("/api/v1/auth/password", json=body, headers=headers), 422, "invalid_request"
    )  # the schema states the password rules, so the service's `weak_password` is not reached
    body = {"current_password": PASSWORD, "new_password": "a fresh long secret"}
    assert client.post("/api/v1/auth/password", json=body, headers=headers).status_code == 200
    login = {"username": "bob", "password": "a fresh long secret"}
    assert client.post("/api/v1/auth/login", json=login).status_code == 200


def test_wallet_of_a_fresh_owner_is_empty(client: TestClient, people: People) -> None:
    wallet = client.get("/api/v1/wallet", headers=people.headers["ann"]).json()
    zero = {"pebbles": "0", "stones": "0.00000000"}
    assert wallet["balance"] == wallet["spendable"] == wallet["locked"] == wallet["earned"] == zero
    assert wallet["unlocks"] == [] and wallet["flows"] == [] and wallet["dividends_fen"] == "0"
    history = client.get("/api/v1/wallet/history", headers=people.headers["ann"]).json()
    assert history == {"lines": [], "next_cursor": None}
