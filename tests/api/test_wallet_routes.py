"""The wallet's figures over HTTP: computed by the service over the whole account."""

from __future__ import annotations

from fastapi.testclient import TestClient

from milestone.rules.units import PEBBLES_PER_STONE

from .conftest import People, login

DAY = 86_400


def _campaign(client: TestClient, people: People, clock, days: int = 1) -> int:
    created = client.post(
        "/api/v1/activities/campaigns",
        json={"name": "launch", "budget": str(10 * PEBBLES_PER_STONE),
              "reward": str(PEBBLES_PER_STONE),
              "per_owner_cap": 1, "proof": "code", "starts_at": clock.now(),
              "ends_at": clock.now() + days * DAY},
        headers=people.headers["olga"],
    )
    assert created.status_code == 201, created.text
    assert created.json()["status"] == "open"
    return int(created.json()["id"])


def test_earned_is_every_credit_by_kind_and_the_lock_says_when_it_ends(
    client: TestClient, people: People, clock, release_budget
) -> None:
    release_budget()
    ann = people.headers["ann"]
    checkin = client.post("/api/v1/activities/check-ins", headers=ann).json()
    campaign = _campaign(client, people, clock)
    code = client.post(f"/api/v1/activities/campaigns/{campaign}/codes", json={"count": 1},
                       headers=people.headers["olga"]).json()["codes"][0]
    redeemed = client.post(f"/api/v1/activities/campaigns/{campaign}/redemptions",
                           json={"code": code}, headers=ann)
    assert redeemed.status_code == 201, redeemed.text

    wallet = client.get("/api/v1/wallet", headers=ann).json()
    total = int(checkin["reward"]["pebbles"]) + PEBBLES_PER_STONE
    assert wallet["balance"]["pebbles"] == wallet["earned"]["pebbles"] == str(total)
    flows = {f["kind"]: f["credited"]["pebbles"] for f in wallet["flows"]}
    assert flows == {"activity.checkin": checkin["reward"]["pebbles"],
                     "activity.campaign": str(PEBBLES_PER_STONE)}
    # The minimal preset locks earnings until the owner is certified: all of it, no date.
    assert wallet["spendable"]["pebbles"] == "0" and wallet["locked"]["pebbles"] == str(total)
    assert wallet["unlocks"] == [{"at": None, "amount": wallet["locked"]}]


def test_a_certified_owner_sees_the_date_the_lock_ends(
    client: TestClient, people: People, clock, release_budget
) -> None:
    release_budget()
    certified = client.post(f"/api/v1/owners/{people.owner_ids['ann']}/certification",
                            headers=people.headers["olga"])
    assert certified.status_code == 200, certified.text
    checkin = client.post("/api/v1/activities/check-ins", headers=people.headers["ann"]).json()
    wallet = client.get("/api/v1/wallet", headers=people.headers["ann"]).json()
    [unlock] = wallet["unlocks"]
    assert unlock["amount"] == checkin["reward"] == wallet["locked"]
    assert unlock["at"]["unix"] == checkin["at"]["unix"] + 90 * DAY  # spend_lock_days


def test_a_campaign_is_ended_after_its_last_instant_and_closed_once_closed(
    client: TestClient, people: People, clock, release_budget
) -> None:
    release_budget()
    campaign = _campaign(client, people, clock, days=1)
    clock.advance(DAY - 1)
    [listed] = client.get("/api/v1/activities/campaigns").json()
    assert listed["status"] == "open"
    clock.advance(1)
    [listed] = client.get("/api/v1/activities/campaigns").json()
    assert listed["status"] == "ended"
    operator = login(client, "olga")  # the morning's token has expired
    closed = client.post(f"/api/v1/activities/campaigns/{campaign}/close", headers=operator)
    assert closed.json()["status"] == "closed"
