"""Settlement through the API: an operator settles epoch 0 on the embedded chain, then owners
prove their balances against the root the chain committed, and staff read where things stand."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from milestone.chain.deployment import load_deployment
from milestone.chain.program import ProgramView
from milestone.chain.reader import open_chain
from milestone.rules.leaves import BALANCE_LEAF
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


def test_reading_the_chain_first_leaves_settlement_its_gas(
    client: TestClient, people: People
) -> None:
    """The chain is read before the first settlement: the read answers for the chain to come
    and makes nothing, so the settler creates the embedded chain with the operator funded (a
    chain made by the read funded nobody who writes: settlement answered 502 chain_rejected)."""
    assert client.get("/api/v1/chain").json()["program_address"] is None
    block = client.post("/api/v1/chain/rpc", json={"jsonrpc": "2.0", "id": 1,
                                                   "method": "eth_blockNumber", "params": []})
    assert block.json()["result"] == "0x0"
    response = client.post("/api/v1/admin/settle", json={}, headers=people.headers["olga"])
    assert response.status_code == 200, response.text
    body = client.get("/api/v1/chain").json()
    assert body["program_address"] is not None and body["next_epoch"] == 0


@pytest.mark.slow
def test_a_settled_epoch_proves_balances_against_the_chain(
    client: TestClient, people: People, settled: None, settings
) -> None:
    proof = client.get("/api/v1/wallet/proofs/0", headers=people.headers["ann"]).json()
    assert client.get("/api/v1/wallet/proofs/0", headers=people.headers["ann"]).json() == proof
    with open_chain(settings.data_dir, None) as connection:
        deployment = load_deployment(settings.data_dir, connection.w3.eth.chain_id)
        assert deployment is not None
        connection.w3.eth.default_account = connection.w3.to_checksum_address(deployment.operator)
        committed = ProgramView(connection.w3, deployment.address).commitment(0)
    assert committed is not None
    leaf = calculate_leaf_hash(
        BALANCE_LEAF, (bytes.fromhex(proof["address"][2:]), int(proof["balance"]))
    )
    nodes = [bytes.fromhex(node[2:]) for node in proof["balance_proof"]]
    assert verify_proof(committed.state_root, leaf, nodes)
    wallet = client.get("/api/v1/wallet", headers=people.headers["ann"]).json()
    assert proof["balance"] == wallet["balance"]["pebbles"]
    status = client.get("/api/v1/admin/status", headers=people.headers["aldo"]).json()
    assert status["last_finalized_epoch"] == 0 and status["first_unsettled_epoch"] == 1
    assert status["ledger_reconciles"] is True and status["trips"] == 4
    again = client.post("/api/v1/admin/settle", json={}, headers=people.headers["olga"])
    assert again.json() == []  # nothing closed is left to settle


def test_status_before_any_settlement(client: TestClient, people: People) -> None:
    status = client.get("/api/v1/admin/status", headers=people.headers["olga"]).json()
    assert status["last_finalized_epoch"] is None and status["first_unsettled_epoch"] == 0
    assert status["last_closed_epoch"] == -1 and status["epochs_to_settle"] == 0
