"""The store over HTTP: a merchant acts on its own items and orders only, an owner on theirs."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from milestone.activities.standing import certify_owner
from milestone.rules.units import PEBBLES_PER_STONE

from .conftest import People, login
from .support import assert_problem

PRICE = 2 * PEBBLES_PER_STONE


@pytest.fixture
def shop_item(client: TestClient, people: People) -> int:
    response = client.post(
        "/api/v1/store/items",
        json={"sku": "MUG", "title": "Mug", "price": str(PRICE), "stock": 5},
        headers=people.headers["shop"],
    )
    assert response.status_code == 201, response.text
    return int(response.json()["id"])


@pytest.fixture
def rich_ann(client: TestClient, people: People, credit, database, clock) -> None:
    """Ann holds 10 stones, certified and past the spend lock (everyone logs in again)."""
    database.run(lambda s: certify_owner(s, clock, people.owner_ids["ann"]))
    credit(people.owner_ids["ann"], 10 * PEBBLES_PER_STONE)
    clock.advance(91 * 86_400)
    for name in ("olga", "aldo", "ann", "bob"):
        people.headers[name] = login(client, name)


def order(client: TestClient, people: People, item_id: int, key: str = "k1"):
    return client.post(
        "/api/v1/store/orders",
        json={"item_id": item_id, "quantity": 1},
        headers={**people.headers["ann"], "Idempotency-Key": key},
    )


def test_an_order_moves_stones_and_only_its_merchant_fulfils_it(
    client: TestClient, people: People, shop_item: int, rich_ann: None
) -> None:
    placed = order(client, people, shop_item)
    assert placed.status_code == 201, placed.text
    order_id, code = placed.json()["id"], placed.json()["pickup_code"]
    assert order(client, people, shop_item).json()["id"] == order_id  # same key, same order
    step = {"Idempotency-Key": "f1"}
    foreign = client.post(
        f"/api/v1/store/orders/{order_id}/fulfil", headers={**people.headers["other_shop"], **step},
        json={"pickup_code": code},
    )
    assert_problem(foreign, 403, "not_your_order")
    assert_problem(
        client.get(f"/api/v1/store/orders/{order_id}", headers=people.headers["other_shop"]),
        403,
        "not_your_order",
    )
    assert_problem(
        client.get(f"/api/v1/store/orders/{order_id}", headers=people.headers["bob"]),
        403,
        "not_your_order",
    )
    seen = client.get("/api/v1/store/orders", headers=people.headers["shop"]).json()
    assert [o["pickup_code"] for o in seen] == [None]  # the merchant never sees the code
    guessed = client.post(
        f"/api/v1/store/orders/{order_id}/fulfil", headers={**people.headers["shop"], **step},
        json={"pickup_code": f"M-{order_id:05d}"},
    )
    assert_problem(guessed, 403, "wrong_pickup_code")
    fulfilled = client.post(
        f"/api/v1/store/orders/{order_id}/fulfil", headers={**people.headers["shop"], **step},
        json={"pickup_code": code.lower()},
    )
    assert fulfilled.status_code == 200 and fulfilled.json()["status"] == "fulfilled"
    cancel = client.post(
        f"/api/v1/store/orders/{order_id}/cancel",
        headers={**people.headers["ann"], "Idempotency-Key": "c1"},
    )
    assert_problem(cancel, 409, "refund_after_fulfilment")
    wallet = client.get("/api/v1/wallet", headers=people.headers["ann"]).json()
    assert wallet["balance"]["pebbles"] == str(10 * PEBBLES_PER_STONE - PRICE)
    mine = client.get("/api/v1/store/orders", headers=people.headers["ann"]).json()
    assert [(o["id"], o["pickup_code"]) for o in mine] == [(order_id, code)]
    assert client.get("/api/v1/store/orders", headers=people.headers["bob"]).json() == []
    assert client.get("/api/v1/store/orders", headers=people.headers["other_shop"]).json() == []


def test_owner_cancels_and_gets_the_stones_back(
    client: TestClient, people: People, shop_item: int, rich_ann: None
) -> None:
    order_id = order(client, people, shop_item).json()["id"]
    bob = client.post(
        f"/api/v1/store/orders/{order_id}/cancel",
        headers={**people.headers["bob"], "Idempotency-Key": "c1"},
    )
    assert_problem(bob, 403, "not_your_order")
    cancelled = client.post(
        f"/api/v1/store/orders/{order_id}/cancel",
        headers={**people.headers["ann"], "Idempotency-Key": "c1"},
    )
    assert cancelled.json()["status"] == "cancelled"
    spendable = client.get("/api/v1/store/spendable", headers=people.headers["ann"]).json()
    assert spendable["spendable"]["pebbles"] == str(10 * PEBBLES_PER_STONE)


def test_a_merchant_changes_only_its_own_items(
    client: TestClient, people: People, shop_item: int
) -> None:
    foreign = client.patch(
        f"/api/v1/store/items/{shop_item}", json={"price": "1"},
        headers=people.headers["other_shop"],
    )
    assert_problem(foreign, 403, "forbidden")
    own = client.patch(
        f"/api/v1/store/items/{shop_item}",
        json={"price": str(3 * PEBBLES_PER_STONE)},
        headers=people.headers["shop"],
    )
    assert own.json()["price"]["pebbles"] == str(3 * PEBBLES_PER_STONE)


def test_order_steps_need_an_idempotency_key(
    client: TestClient, people: People, shop_item: int
) -> None:
    response = client.post(
        "/api/v1/store/orders",
        json={"item_id": shop_item, "quantity": 1},
        headers=people.headers["ann"],
    )
    body = assert_problem(response, 422, "invalid_request")
    assert ["header", "idempotency-key"] in [error["loc"] for error in body["errors"]]


def test_locked_stones_cannot_be_spent(
    client: TestClient, people: People, shop_item: int, credit
) -> None:
    credit(people.owner_ids["ann"], 10 * PEBBLES_PER_STONE)
    assert_problem(order(client, people, shop_item), 409, "stones_locked")


def test_operator_registers_a_merchant_whose_key_works_once_rotated_out(
    client: TestClient, people: People
) -> None:
    operator = people.headers["olga"]
    created = client.post("/api/v1/store/merchants", json={"name": "cafe"}, headers=operator)
    assert created.status_code == 201
    merchant_id, key = created.json()["merchant"]["id"], created.json()["api_key"]
    item = {"sku": "TEA", "title": "Tea", "price": str(PRICE)}
    assert (
        client.post("/api/v1/store/items", json=item, headers={"X-API-Key": key}).status_code == 201
    )
    rotated = client.post(f"/api/v1/store/merchants/{merchant_id}/key", headers=operator).json()
    old = client.post("/api/v1/store/items", json=item, headers={"X-API-Key": key})
    assert_problem(old, 401, "invalid_api_key")
    item["sku"] = "TEA2"
    new = client.post("/api/v1/store/items", json=item, headers={"X-API-Key": rotated["api_key"]})
    assert new.status_code == 201
