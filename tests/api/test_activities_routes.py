"""Activities over HTTP: check-ins, referrals confirmed by a sales system, campaigns."""

from __future__ import annotations

from fastapi.testclient import TestClient

from milestone.registry.vin import synthetic_vin
from milestone.rules.activities import encode_delivery_confirmation
from milestone.rules.units import PEBBLES_PER_STONE

from .conftest import People, login
from .support import assert_problem

DAY = 86_400


def test_check_in_pays_once_a_day_and_grows_a_streak(
    client: TestClient, people: People, clock, release_budget
) -> None:
    release_budget()
    ann = people.headers["ann"]
    first = client.post("/api/v1/activities/check-ins", headers=ann)
    assert first.status_code == 201, first.text
    assert first.json()["reward"]["pebbles"] == str(PEBBLES_PER_STONE)  # minimal preset's base
    assert_problem(
        client.post("/api/v1/activities/check-ins", headers=ann), 409, "already_checked_in"
    )
    clock.advance(DAY)
    release_budget()
    ann = login(client, "ann")  # a day later: the morning's token has expired
    second = client.post("/api/v1/activities/check-ins", headers=ann).json()
    assert second["streak"] == 2
    streak = client.get("/api/v1/activities/check-ins/streak", headers=ann).json()
    assert streak["streak"] == 2 and streak["last"]["day"] == second["day"]
    wallet = client.get("/api/v1/wallet", headers=ann).json()
    assert (
        int(wallet["balance"]["pebbles"])
        == int(first.json()["reward"]["pebbles"]) + int(second["reward"]["pebbles"])
    )


def test_referral_pays_both_when_the_sales_system_signs_the_delivery(
    client: TestClient, people: People, clock, release_budget
) -> None:
    release_budget()
    code = client.get("/api/v1/activities/referral-code", headers=people.headers["ann"]).json()
    assert (
        code == client.get("/api/v1/activities/referral-code", headers=people.headers["ann"]).json()
    )
    bob = people.owner_ids["bob"]
    registered = client.post(
        "/api/v1/activities/referrals",
        json={"order_id": "SO-1", "code": code["code"]},
        headers=people.headers["bob"],
    )
    assert registered.status_code == 201, registered.text
    vin, delivered_at = synthetic_vin(500), clock.now()
    message = encode_delivery_confirmation("SO-1", vin, bob, delivered_at)
    assert people.sales_key is not None
    signature = people.sales_key.sign(message).signature
    body = {
        "order_id": "SO-1",
        "vin": vin,
        "buyer_id": bob,
        "delivered_at": delivered_at,
        "signature": "0x" + signature.hex(),
    }
    forged = dict(body, signature="0x" + bytes(64).hex())
    refused = client.post(
        "/api/v1/activities/referrals/confirmations", json=forged, headers=people.headers["sales"]
    )
    assert_problem(refused, 401, "referral_bad_signature")
    confirmed = client.post(
        "/api/v1/activities/referrals/confirmations", json=body, headers=people.headers["sales"]
    )
    assert confirmed.status_code == 200, confirmed.text
    assert confirmed.json()["referrer_outcome"] == "rewarded"
    again = client.post(
        "/api/v1/activities/referrals/confirmations", json=body, headers=people.headers["sales"]
    )
    assert again.json()["confirmed_at"] == confirmed.json()["confirmed_at"]
    ann_referrals = client.get("/api/v1/activities/referrals", headers=people.headers["ann"])
    assert [r["order_id"] for r in ann_referrals.json()] == ["SO-1"]
    balances = [
        client.get("/api/v1/wallet", headers=people.headers[name]).json()["balance"]["pebbles"]
        for name in ("ann", "bob")
    ]
    assert balances == [str(10 * PEBBLES_PER_STONE), str(5 * PEBBLES_PER_STONE)]


def test_a_merchant_key_cannot_confirm_deliveries(client: TestClient, people: People) -> None:
    body = {
        "order_id": "SO-9",
        "vin": synthetic_vin(9),
        "buyer_id": 1,
        "delivered_at": 0,
        "signature": "0x" + bytes(64).hex(),
    }
    response = client.post(
        "/api/v1/activities/referrals/confirmations", json=body, headers=people.headers["shop"]
    )
    assert_problem(response, 403, "forbidden")


def test_campaign_codes_pay_the_owner_who_redeems_them(
    client: TestClient, people: People, clock, release_budget
) -> None:
    release_budget()
    operator = people.headers["olga"]
    created = client.post(
        "/api/v1/activities/campaigns",
        json={
            "name": "launch",
            "budget": str(10 * PEBBLES_PER_STONE),
            "reward": str(PEBBLES_PER_STONE),
            "per_owner_cap": 1,
            "proof": "code",
            "starts_at": clock.now(),
            "ends_at": clock.now() + DAY,
        },
        headers=operator,
    )
    assert created.status_code == 201, created.text
    campaign_id = created.json()["id"]
    codes = client.post(
        f"/api/v1/activities/campaigns/{campaign_id}/codes", json={"count": 2}, headers=operator
    ).json()["codes"]
    redeemed = client.post(
        f"/api/v1/activities/campaigns/{campaign_id}/redemptions",
        json={"code": codes[0]},
        headers=people.headers["ann"],
    )
    assert redeemed.status_code == 201 and redeemed.json()["owner_id"] == people.owner_ids["ann"]
    assert redeemed.json()["repeated"] is False
    again = client.post(
        f"/api/v1/activities/campaigns/{campaign_id}/redemptions",
        json={"code": codes[0].lower()},
        headers=people.headers["ann"],
    )  # the same owner again: the first redemption, said to be one, nothing paid twice
    assert again.json()["repeated"] is True and again.json()["id"] == redeemed.json()["id"]
    stolen = client.post(
        f"/api/v1/activities/campaigns/{campaign_id}/redemptions",
        json={"code": codes[0]},
        headers=people.headers["bob"],
    )
    assert_problem(stolen, 409, "campaign_code_used")
    listed = client.get("/api/v1/activities/campaigns").json()
    assert listed[0]["remaining"]["pebbles"] == str(9 * PEBBLES_PER_STONE)
    closed = client.post(f"/api/v1/activities/campaigns/{campaign_id}/close", headers=operator)
    assert closed.json()["returned"]["pebbles"] == str(9 * PEBBLES_PER_STONE)


def test_a_code_alone_redeems_it_in_its_campaign(
    client: TestClient, people: People, clock, release_budget
) -> None:
    release_budget()
    operator = people.headers["olga"]
    ids = []
    for name, ends in (("fair", clock.now() + DAY), ("short", clock.now() + 60)):
        created = client.post(
            "/api/v1/activities/campaigns",
            json={
                "name": name, "budget": str(10 * PEBBLES_PER_STONE),
                "reward": str(PEBBLES_PER_STONE), "per_owner_cap": 2, "proof": "code",
                "starts_at": clock.now(), "ends_at": ends,
            },
            headers=operator,
        )
        assert created.status_code == 201, created.text
        ids.append(created.json()["id"])
    fair, short = (
        client.post(
            f"/api/v1/activities/campaigns/{campaign_id}/codes", json={"count": 2},
            headers=operator,
        ).json()["codes"]
        for campaign_id in ids
    )
    redeemed = client.post(
        "/api/v1/activities/redemptions", json={"code": f" {fair[1].lower()} "},
        headers=people.headers["ann"],
    )  # the code alone, as the owner typed it
    assert redeemed.status_code == 201, redeemed.text
    assert redeemed.json()["campaign_id"] == ids[0] and redeemed.json()["repeated"] is False
    again = client.post(
        "/api/v1/activities/redemptions", json={"code": fair[1]}, headers=people.headers["ann"]
    )
    assert again.json()["repeated"] is True and again.json()["id"] == redeemed.json()["id"]
    used = client.post(
        "/api/v1/activities/redemptions", json={"code": fair[1]}, headers=people.headers["bob"]
    )
    assert_problem(used, 409, "campaign_code_used")
    unknown = client.post(
        "/api/v1/activities/redemptions", json={"code": "NOSUCHCODE22"},
        headers=people.headers["bob"],
    )
    assert_problem(unknown, 404, "unknown_campaign_code")
    clock.advance(120)  # the short campaign's window is over
    expired = client.post(
        "/api/v1/activities/redemptions", json={"code": short[0]}, headers=people.headers["bob"]
    )
    assert_problem(expired, 409, "campaign_not_active")
    balance = client.get("/api/v1/wallet", headers=people.headers["bob"]).json()["balance"]
    assert balance["pebbles"] == "0"
