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


def test_a_merchant_sees_its_withdrawn_items_which_the_public_does_not(
    client: TestClient, people: People
) -> None:
    shop = people.headers["shop"]
    item = client.post("/api/v1/store/items", json={"sku": "CAP", "title": "Cap", "price": "100"},
                       headers=shop).json()
    withdrawn = client.patch(f"/api/v1/store/items/{item['id']}", json={"active": False},
                             headers=shop)
    assert withdrawn.status_code == 200, withdrawn.text
    mine = client.get("/api/v1/store/merchants/me/items", headers=shop).json()
    assert [(i["id"], i["active"]) for i in mine] == [(item["id"], False)]
    assert client.get("/api/v1/store/items").json() == []
    other = client.get("/api/v1/store/merchants/me/items", headers=people.headers["other_shop"])
    assert other.json() == []
