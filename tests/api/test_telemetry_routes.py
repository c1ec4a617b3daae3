"""Telemetry over HTTP: signed batches, per-report verdicts, trips and rejections."""

from __future__ import annotations

from fastapi.testclient import TestClient

from milestone.api.app import create_app
from milestone.auth import FAST_HASHER
from milestone.clock import ManualClock
from milestone.settings import Settings
from milestone.storage import Database

from .conftest import People
from .support import assert_problem, drive


def test_batch_gets_a_verdict_per_report(client: TestClient, people: People, clock) -> None:
    signer = people.vehicles["ann"]
    envelopes = drive(signer, clock, 3)
    forged = envelopes[2][:-4] + ("0000" if not envelopes[2].endswith("0000") else "1111")
    batch = [envelopes[0], envelopes[1], forged, "nonsense", envelopes[2]]
    response = client.post("/api/v1/telemetry/batches", json={"reports": batch})
    assert response.status_code == 200, response.text
    body = response.json()
    codes = [verdict["code"] for verdict in body["verdicts"]]
    assert codes[:2] == ["accepted", "accepted"]
    assert codes[2] == "bad_signature" and codes[3] == "malformed_report"
    assert codes[4] == "accepted"
    assert (body["accepted"], body["rejected"]) == (3, 2)
    again = client.post("/api/v1/telemetry/batches", json={"reports": envelopes[:1]}).json()
    assert again["verdicts"][0]["replayed"] is True and again["verdicts"][0]["accepted"] is True
    trips = client.get("/api/v1/telemetry/trips", headers=people.headers["ann"]).json()
    assert len(trips) == 3 and {trip["distance_m"] for trip in trips} == {10_000}
    assert client.get("/api/v1/telemetry/trips", headers=people.headers["bob"]).json() == []
    rejections = client.get("/api/v1/telemetry/rejections", headers=people.headers["aldo"]).json()
    assert rejections["counts"].get("bad_signature") == 1


def test_batch_bounds_are_checked_before_judging(client: TestClient) -> None:
    assert_problem(
        client.post("/api/v1/telemetry/batches", json={"reports": []}), 422, "invalid_request"
    )
    too_many = {"reports": ["0x00"] * 1_001}
    assert_problem(client.post("/api/v1/telemetry/batches", json=too_many), 422, "invalid_request")


def test_explain_names_every_failing_check_and_stores_nothing(
    client: TestClient, people: People, clock
) -> None:
    envelopes = drive(people.vehicles["bob"], clock, 1)
    explained = client.post(
        "/api/v1/telemetry/explain",
        json={"reports": [envelopes[0], "0x00"]},
        headers=people.headers["olga"],
    )
    assert explained.status_code == 200, explained.text
    failures = explained.json()["failures"]
    assert failures[0] == [] and failures[1] != []
    assert client.get("/api/v1/telemetry/trips", headers=people.headers["bob"]).json() == []


def test_owners_see_their_own_refused_reports_only(
    client: TestClient, people: People, clock
) -> None:
    signer = people.vehicles["ann"]
    start = clock.now()
    clock.advance(3_600)
    speeding = signer.report_trip(  # 100 km in 10 minutes: 600 km/h
        trip_id=b"\x07" * 16, started_at=start, ended_at=start + 600,
        odometer_start_m=0, odometer_end_m=100_000, distance_m=100_000,
    )
    verdicts = client.post(
        "/api/v1/telemetry/batches", json={"reports": ["0x" + speeding.hex()]}
    ).json()["verdicts"]
    assert verdicts[0]["accepted"] is False
    mine = client.get("/api/v1/telemetry/rejections/mine", headers=people.headers["ann"])
    assert mine.status_code == 200, mine.text
    assert [rejection["code"] for rejection in mine.json()] == [verdicts[0]["code"]]
    assert mine.json()[0]["owner_id"] == people.owner_ids["ann"]
    bob = client.get("/api/v1/telemetry/rejections/mine", headers=people.headers["bob"])
    assert bob.json() == []


def test_a_trip_past_its_epochs_cutoff_is_refused_by_the_settings_grace(
    client: TestClient, people: People, clock: ManualClock, settings: Settings,
    database: Database,
) -> None:
    envelopes = drive(people.vehicles["ann"], clock, 1)
    clock.advance(2 * 86_400)  # past the end of the trip's epoch plus the hour of grace
    refused = client.post("/api/v1/telemetry/batches", json={"reports": envelopes}).json()
    assert refused["verdicts"][0]["code"] == "epoch_closed"
    # A deployment whose settlement waits three days for uploads still takes the trip.
    patient = settings.model_copy(update={"settle_grace_seconds": 3 * 86_400})
    app = create_app(patient, clock, database=database, hasher=FAST_HASHER, web_dir=None)
    with TestClient(app) as other:
        late = drive(people.vehicles["bob"], clock, 1)
        clock.advance(2 * 86_400)
        verdict = other.post("/api/v1/telemetry/batches", json={"reports": late}).json()
    assert verdict["verdicts"][0]["code"] == "accepted"
