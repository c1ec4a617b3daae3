"""Events and webhooks over HTTP: the operator's subscriptions and the staff's feed."""

from __future__ import annotations

from fastapi.testclient import TestClient
from sqlalchemy import select

from milestone.registry.models import Owner
from milestone.storage import Database

from .conftest import People, login
from .support import assert_problem, drive

DAY = 86_400
GRACE = 3_600
HOOK = "https://crm.example.com/milestone"


def test_an_operator_subscribes_lists_replays_and_removes_a_webhook(
    client: TestClient, people: People
) -> None:
    olga = people.headers["olga"]
    created = client.post(
        "/api/v1/webhooks", json={"url": HOOK, "event_types": ["order.placed"]}, headers=olga
    )
    assert created.status_code == 201, created.text
    body = created.json()
    assert body["secret"].startswith("whsec_") and body["event_types"] == ["order.placed"]
    listed = client.get("/api/v1/webhooks", headers=people.headers["aldo"]).json()
    assert [(w["id"], w["url"]) for w in listed] == [(body["id"], HOOK)]
    assert "secret" not in listed[0]
    letters = client.get(
        f"/api/v1/webhooks/{body['id']}/dead-letters", headers=people.headers["aldo"]
    )
    assert letters.status_code == 200 and letters.json() == []
    replay = client.post(f"/api/v1/webhooks/{body['id']}/replay", json={}, headers=olga)
    assert replay.status_code == 200 and replay.json() == {"replayed": 0}
    assert client.delete(f"/api/v1/webhooks/{body['id']}", headers=olga).status_code == 204
    assert_problem(
        client.delete(f"/api/v1/webhooks/{body['id']}", headers=olga), 404, "unknown_webhook"
    )
    assert client.get("/api/v1/webhooks", headers=olga).json() == []


def test_a_bad_subscription_is_refused_and_nothing_is_kept(
    client: TestClient, people: People
) -> None:
    olga = people.headers["olga"]
    for body in ({"url": "ftp://crm.example.com/x"}, {"url": HOOK, "event_types": ["nope"]},
                 {"url": "https:///x"}):
        assert_problem(client.post("/api/v1/webhooks", json=body, headers=olga), 422,
                       "invalid_request")
    assert_problem(client.post("/api/v1/webhooks/7/replay", json={}, headers=olga), 404,
                   "unknown_webhook")
    assert_problem(client.get("/api/v1/webhooks/7/dead-letters", headers=olga), 404,
                   "unknown_webhook")
    assert client.get("/api/v1/webhooks", headers=olga).json() == []


def test_the_feed_serves_a_check_in_by_address_and_pages_by_cursor(
    client: TestClient, people: People, database: Database, release_budget
) -> None:
    release_budget()
    assert client.post("/api/v1/activities/check-ins", headers=people.headers["ann"]).is_success
    assert client.post("/api/v1/activities/check-ins", headers=people.headers["bob"]).is_success
    aldo = people.headers["aldo"]
    page = client.get("/api/v1/events", params={"type": "checkin.recorded"}, headers=aldo)
    assert page.status_code == 200, page.text
    events = page.json()["events"]
    with database.session() as session:
        ann = session.execute(
            select(Owner.address).where(Owner.id == people.owner_ids["ann"])
        ).scalar_one()
    assert next(e["data"]["owner"] for e in events) == "0x" + bytes(ann).hex()
    first = client.get("/api/v1/events", params={"limit": 1}, headers=aldo).json()
    rest = client.get("/api/v1/events", params={"after": first["after"]}, headers=aldo).json()
    assert len(first["events"]) == 1 and first["after"] == first["events"][0]["id"]
    assert next(e["id"] for e in rest["events"]) == first["after"] + 1
    end = client.get("/api/v1/events", params={"after": rest["after"]}, headers=aldo).json()
    assert end == {"events": [], "after": rest["after"]}
    assert_problem(client.get("/api/v1/events", params={"after": -1}, headers=aldo), 422,
                   "invalid_request")


def test_a_finalized_epoch_emits_itself_and_each_owner_s_drops(
    client: TestClient, people: People, clock
) -> None:
    for name in ("ann", "bob"):
        reports = drive(people.vehicles[name], clock, 2)
        assert client.post("/api/v1/telemetry/batches", json={"reports": reports}).is_success
    clock.set(clock.now() - clock.now() % DAY + DAY + GRACE)
    olga = login(client, "olga")
    assert client.post("/api/v1/admin/settle", json={}, headers=olga).status_code == 200
    events = client.get("/api/v1/events", params={"limit": 1000}, headers=olga).json()["events"]
    finalized = [e for e in events if e["type"] == "epoch.finalized"]
    drops = [e for e in events if e["type"] == "drops.credited"]
    assert [e["data"]["epoch"] for e in finalized] == [0]
    assert len(drops) == 2 and all(e["data"]["epoch"] == 0 for e in drops)
    assert sum(int(e["data"]["amount"]) for e in drops) == int(finalized[0]["data"]["paid"])
    assert events.index(finalized[0]) < events.index(drops[0])
