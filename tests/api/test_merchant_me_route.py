"""A merchant's key names its merchant, so the desk shows the catalogue before any order."""

from __future__ import annotations

from fastapi.testclient import TestClient

from .conftest import People
from .support import assert_problem


def test_a_merchant_key_reads_its_own_merchant(client: TestClient, people: People) -> None:
    me = client.get("/api/v1/store/merchants/me", headers=people.headers["shop"])
    assert me.status_code == 200, me.text
    assert me.json()["id"] == people.merchant_ids["shop"] and me.json()["name"] == "shop"


def test_without_a_merchant_key_there_is_no_merchant_to_read(
    client: TestClient, people: People
) -> None:
    assert_problem(client.get("/api/v1/store/merchants/me", headers=people.headers["ann"]),
                   401, "not_authenticated")
