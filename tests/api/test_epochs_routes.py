"""Epochs, the schedule, the chain and the read-only relay over HTTP, before any settlement.

A settled program's epochs, drops and proofs are exercised end to end by the browser tests
(`tests/web`), which settle real epochs on the embedded chain.
"""

from __future__ import annotations

from fastapi.testclient import TestClient

from milestone.rules.params import get_preset
from milestone.rules.schedule import calculate_cumulative_release

from .conftest import People
from .support import assert_problem

MINIMAL = get_preset("minimal")


def test_schedule_is_the_rules_cumulative_release(client: TestClient) -> None:
    body = client.get("/api/v1/program/schedule", params={"until": 9}).json()
    assert [p["epoch"] for p in body["points"]] == list(range(10))
    for point in body["points"]:
        assert int(point["mining"]["pebbles"]) == calculate_cumulative_release(
            MINIMAL.mining, point["epoch"]
        )
        assert int(point["activity"]["pebbles"]) == calculate_cumulative_release(
            MINIMAL.activity, point["epoch"]
        )
    assert int(body["mining_total"]["pebbles"]) <= MINIMAL.mining.pool


def test_schedule_refuses_out_of_range_queries(client: TestClient) -> None:
    assert_problem(client.get("/api/v1/program/schedule", params={"until": -1}), 422,
                   "invalid_request")
    assert_problem(client.get("/api/v1/program/schedule", params={"points": 1}), 422,
                   "invalid_request")


def test_no_epoch_before_settlement(client: TestClient, people: People) -> None:
    assert client.get("/api/v1/epochs").json() == []
    assert_problem(client.get("/api/v1/epochs/0"), 404, "epoch_not_settled")
    assert_problem(client.get("/api/v1/epochs/0/file"), 404, "epoch_not_finalized")
    ann = people.headers["ann"]
    assert client.get("/api/v1/wallet/drops", headers=ann).json() == []
    assert_problem(client.get("/api/v1/wallet/proofs/0", headers=ann), 404,
                   "epoch_not_finalized")


def test_chain_without_a_program_says_so(client: TestClient) -> None:
    body = client.get("/api/v1/chain").json()
    assert body["backend"] == "embedded" and body["rpc_url"] is None
    assert body["program_address"] is None and body["next_epoch"] is None
    rpc = client.post("/api/v1/chain/rpc", json={"jsonrpc": "2.0", "id": 7,
                                                 "method": "eth_chainId", "params": []})
    assert rpc.json() == {"jsonrpc": "2.0", "id": 7, "result": hex(body["chain_id"])}


def test_relay_carries_reads_only(client: TestClient) -> None:
    def ask(payload: object) -> dict:
        response = client.post("/api/v1/chain/rpc", json=payload)
        assert response.status_code == 200, response.text
        return response.json()

    send = ask({"jsonrpc": "2.0", "id": 1, "method": "eth_sendRawTransaction",
                "params": ["0x00"]})
    assert send["error"]["code"] == -32601 and "result" not in send
    stranger = ask({"jsonrpc": "2.0", "id": 2, "method": "eth_call",
                    "params": [{"to": "0x" + "11" * 20, "data": "0x"}, "latest"]})
    assert stranger["error"]["code"] == -32602
    assert ask({"id": 3, "method": "eth_chainId"})["error"]["code"] == -32600
    assert ask(["not", "an", "object"])["error"]["code"] == -32600
