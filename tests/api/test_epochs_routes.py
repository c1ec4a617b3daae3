"""Epochs, proofs and settlement over HTTP: settle through the API on the embedded chain, then
read the epoch, its file and commitment, and prove a balance against the chain's root."""

from __future__ import annotations

import gzip
import json

import pytest
from fastapi.testclient import TestClient

from milestone.epochs.compute import BALANCE_LEAF
from milestone.rules.merkle import calculate_leaf_hash, verify_proof

from .conftest import People, login
from .support import assert_problem, drive

DAY = 86_400
GRACE = 3_600


@pytest.fixture
def settled(client: TestClient, people: People, clock) -> None:
    """Ann and Bob drive in epoch 0; an operator settles it through the API."""
    for name in ("ann", "bob"):
        reports = drive(people.vehicles[name], clock, 2)
        verdicts = client.post("/api/v1/telemetry/batches", json={"reports": reports}).json()
        assert verdicts["accepted"] == 2, verdicts
    early = client.post(
        "/api/v1/admin/settle", json={"through_epoch": 0}, headers=people.headers["olga"]
    )
    assert_problem(early, 409, "epoch_not_closed")
    clock.set(clock.now() - clock.now() % DAY + DAY + GRACE)
    for name in ("olga", "aldo", "ann", "bob"):
        people.headers[name] = login(client, name)
    response = client.post("/api/v1/admin/settle", json={}, headers=people.headers["olga"])
    assert response.status_code == 200, response.text
    assert [epoch["epoch"] for epoch in response.json()] == [0]


@pytest.mark.slow
def test_a_settled_epoch_is_public_and_proves_every_balance(
    client: TestClient, people: People, settled: None
) -> None:
    epochs = client.get("/api/v1/epochs").json()
    assert [(e["epoch"], e["status"]) for e in epochs] == [(0, "finalized")]
    detail = client.get("/api/v1/epochs/0").json()
    assert detail["steps_done"][-1] == "commit_ahead" and detail["mined"]["pebbles"] > 0
    commitment = client.get("/api/v1/epochs/0/commitment").json()
    assert commitment["matches_database"] is True
    assert commitment["state_root"] == detail["state_root"]
    proof = client.get("/api/v1/proofs/0/me", headers=people.headers["ann"]).json()
    leaf = calculate_leaf_hash(
        BALANCE_LEAF, (bytes.fromhex(proof["address"][2:]), proof["balance"]["pebbles"])
    )
    nodes = [bytes.fromhex(node[2:]) for node in proof["balance_proof"]]
    assert verify_proof(bytes.fromhex(commitment["state_root"][2:]), leaf, nodes)
    wallet = client.get("/api/v1/wallet", headers=people.headers["ann"]).json()
    assert proof["balance"] == wallet["balance"]
    public = client.get(f"/api/v1/proofs/0/accounts/{proof['address']}").json()
    assert public == proof
    file = client.get("/api/v1/epochs/0/file")
    assert file.headers["content-type"] == "application/gzip"
    assert json.loads(gzip.decompress(file.content))["epoch"] == 0
    schedule = client.get("/api/v1/epochs/schedule").json()
    point = schedule[0]
    assert point["mining_cumulative"]["pebbles"] <= point["mining_cumulative_schedule"]["pebbles"]
    status = client.get("/api/v1/admin/status", headers=people.headers["aldo"]).json()
    assert status["last_finalized_epoch"] == 0 and status["ledger_reconciles"] is True
    chain = client.get("/api/v1/admin/chain", headers=people.headers["aldo"]).json()
    assert chain["kind"] == "embedded" and chain["next_epoch"] == 1


def test_epochs_not_settled_are_refused_by_code(client: TestClient, people: People) -> None:
    assert client.get("/api/v1/epochs").json() == []
    assert_problem(client.get("/api/v1/epochs/0"), 404, "unknown_epoch")
    assert_problem(client.get("/api/v1/epochs/0/file"), 404, "epoch_not_finalized")
    assert_problem(
        client.get("/api/v1/proofs/0/me", headers=people.headers["ann"]),
        404,
        "epoch_not_finalized",
    )
    assert_problem(client.get("/api/v1/epochs/0/commitment"), 404, "program_not_found")
    assert_problem(
        client.get("/api/v1/admin/chain", headers=people.headers["olga"]), 404, "program_not_found"
    )
