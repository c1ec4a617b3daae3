"""Dividends over HTTP: declared on a finalized epoch, shares with proofs, payout files."""

from __future__ import annotations

import dataclasses

import pytest
from fastapi.testclient import TestClient

from milestone.clock import ManualClock
from milestone.dividends.commitments import LEAF_TYPES
from milestone.program.service import Program, create_program
from milestone.rules.merkle import calculate_leaf_hash, verify_proof
from milestone.rules.params import get_preset
from milestone.rules.units import PEBBLES_PER_STONE
from milestone.storage import Database

from .conftest import People, login
from .support import assert_problem


@pytest.fixture
def program(request: pytest.FixtureRequest, database: Database, clock: ManualClock) -> Program:
    """The `minimal` preset (1,500 stones of supply), dividends per circulating stone unless the
    test asks for another mode."""
    mode = getattr(request, "param", "per_circulating")
    params = dataclasses.replace(get_preset("minimal"), dividend_mode=mode)
    with database.transaction() as session:
        return create_program(session, clock, params, genesis=clock.now())


def holders_part(program: Program, amount: int, circulating: int) -> int:
    if program.parameters.dividend_mode == "per_circulating":
        return amount
    return amount * circulating // program.parameters.total_supply


def declare(client: TestClient, people: People, key: str = "d1", amount: int = 1_000):
    return client.post(
        "/api/v1/dividends",
        json={"amount_fen": str(amount), "record_epoch": 0, "payment_date": "2026-03-31"},
        headers={**people.headers["olga"], "Idempotency-Key": key},
    )


def finalize_first_epoch(
    client: TestClient, people: People, settle_state, holdings: dict[str, int]
) -> None:
    """Settle epoch 0 with these owners' stones (by name) in its state, and log everyone in
    again the next day."""
    settle_state(0, {people.owner_ids[name]: stones for name, stones in holdings.items()})
    for name in ("olga", "aldo", "ann", "bob"):
        people.headers[name] = login(client, name)


@pytest.mark.parametrize("program", ["per_circulating", "per_stone"], indirect=True)
def test_dividend_on_a_finalized_epoch_gives_each_holder_a_provable_share(
    client: TestClient, people: People, settle_state, program: Program
) -> None:
    assert_problem(declare(client, people), 409, "epoch_not_finalized")
    finalize_first_epoch(
        client, people, settle_state, {"ann": 3 * PEBBLES_PER_STONE, "bob": PEBBLES_PER_STONE}
    )
    amount = 1_000 if program.parameters.dividend_mode == "per_circulating" else 375_000
    declared = declare(client, people, amount=amount)
    assert declared.status_code == 201, declared.text
    dividend = declared.json()
    holders = holders_part(program, amount, 4 * PEBBLES_PER_STONE)
    assert dividend["mode"] == program.parameters.dividend_mode
    parts = (dividend["holders_fen"], dividend["issuer_fen"])
    assert parts == (str(holders), str(amount - holders))
    assert holders == 1_000  # per stone: 4 of 1,500 stones held, 1,000 of 375,000 fen
    assert dividend["holders"] == 2
    assert dividend["circulating"]["pebbles"] == str(4 * PEBBLES_PER_STONE)
    assert declare(client, people, amount=amount).json()["id"] == dividend["id"]  # same key
    assert client.get("/api/v1/dividends").json()[0]["root"] == dividend["root"]
    share = client.get(
        f"/api/v1/dividends/{dividend['id']}/entitlements/me", headers=people.headers["ann"]
    ).json()
    assert share["amount_fen"] == "750"
    leaf = calculate_leaf_hash(LEAF_TYPES, (bytes.fromhex(share["address"][2:]), 750))
    proof = [bytes.fromhex(node[2:]) for node in share["proof"]]
    assert verify_proof(bytes.fromhex(dividend["root"][2:]), leaf, proof)
    entitlements = client.get(
        f"/api/v1/dividends/{dividend['id']}/entitlements", headers=people.headers["aldo"]
    ).json()
    assert sorted(int(e["amount_fen"]) for e in entitlements) == [250, 750]


def test_payout_file_goes_out_and_comes_back(
    client: TestClient, people: People, settle_state
) -> None:
    finalize_first_epoch(client, people, settle_state, {"ann": PEBBLES_PER_STONE})
    dividend_id = declare(client, people).json()["id"]
    operator = people.headers["olga"]
    exported = client.get(f"/api/v1/dividends/{dividend_id}/payout-file", headers=operator)
    assert exported.headers["content-type"].startswith("text/csv")
    lines = exported.text.strip().splitlines()
    assert lines[0].startswith("reference,") and len(lines) == 2
    reference = lines[1].split(",")[0]
    returned = f"reference,amount_fen,status\n{reference},1000,paid\n"
    confirmed = client.post(
        f"/api/v1/dividends/{dividend_id}/payout-confirmations",
        content=returned,
        headers={**operator, "content-type": "text/csv"},
    )
    assert confirmed.status_code == 200, confirmed.text
    assert confirmed.json()["paid"] == 1 and confirmed.json()["paid_fen"] == "1000"
    wrong = f"reference,amount_fen,status\n{reference},999,paid\n"
    refused = client.post(
        f"/api/v1/dividends/{dividend_id}/payout-confirmations",
        content=wrong,
        headers={**operator, "content-type": "text/csv"},
    )
    assert_problem(refused, 422, "payout_file_invalid")
    wallet = client.get("/api/v1/wallet", headers=people.headers["ann"]).json()
    assert wallet["dividends_fen"] == "0"


def test_an_owner_without_a_share_is_told_so(
    client: TestClient, people: People, settle_state
) -> None:
    finalize_first_epoch(client, people, settle_state, {"ann": PEBBLES_PER_STONE, "bob": 0})
    dividend_id = declare(client, people).json()["id"]
    response = client.get(
        f"/api/v1/dividends/{dividend_id}/entitlements/me", headers=people.headers["bob"]
    )
    assert response.status_code == 404 and response.json()["code"] == "no_entitlement"
