"""`milestone dividend declare | export | confirm | proof | list`."""

from __future__ import annotations

import csv
import dataclasses
import io
import json
from collections.abc import Callable
from pathlib import Path

import pytest
from typer.testing import CliRunner

from milestone.cli.main import app
from milestone.clock import ManualClock
from milestone.program.service import Program, create_program
from milestone.rules.merkle import StandardMerkleTree, verify_proof
from milestone.rules.params import get_preset
from milestone.storage import Database

runner = CliRunner()
STONE = 10**8
STATUS = {True: "paid", False: "failed"}


@pytest.fixture
def program(database: Database, clock: ManualClock) -> Program:
    """The `minimal` preset splitting dividends over the circulating stones (so 1,001 fen over
    four stones gives 250 and 751; per stone, tests/dividends/test_per_stone.py)."""
    params = dataclasses.replace(get_preset("minimal"), dividend_mode="per_circulating")
    with database.transaction() as session:
        return create_program(session, clock, params, genesis=clock.now())


def invoke(database_url: str, *args: str) -> str:
    result = runner.invoke(app, [*args, "--database-url", database_url])
    assert result.exit_code == 0, result.output
    return result.output


def test_declare_export_confirm_and_prove(
    database: Database,
    database_url: str,
    make_owner: Callable[[], int],
    settle_state: Callable[[int, dict[int, int]], None],
    tmp_path: Path,
) -> None:
    a, b = make_owner(), make_owner()
    refused = runner.invoke(
        app,
        [
            "dividend",
            "declare",
            "--amount-fen",
            "1001",
            "--record-epoch",
            "0",
            "--payment-date",
            "2026-03-31",
            "--database-url",
            database_url,
        ],
    )
    assert refused.exit_code == 1 and refused.output.rstrip().endswith("[epoch_not_finalized]")
    settle_state(0, {a: STONE, b: 3 * STONE})
    declared = json.loads(
        invoke(
            database_url,
            "dividend",
            "declare",
            "--amount-fen",
            "1001",
            "--record-epoch",
            "0",
            "--payment-date",
            "2026-03-31",
            "--note",
            "FY2025",
            "--json",
        )
    )
    assert (declared["holders"], declared["circulating"]) == (2, "4.00000000")
    again = json.loads(
        invoke(
            database_url,
            "dividend",
            "declare",
            "--amount-fen",
            "1001",
            "--record-epoch",
            "0",
            "--payment-date",
            "2026-03-31",
            "--note",
            "FY2025",
            "--json",
        )
    )
    assert again["id"] == declared["id"]  # the default key makes a repeat harmless

    payout = tmp_path / "payout.csv"
    assert (
        invoke(database_url, "dividend", "export", "1", "--output", str(payout))
        == f"wrote {payout}\n"
    )
    rows = list(csv.DictReader(io.StringIO(payout.read_text())))
    assert [(int(r["owner_id"]), int(r["amount_fen"])) for r in rows] == [(a, 250), (b, 751)]
    back = tmp_path / "back.csv"
    back.write_text(
        "reference,amount_fen,status\n"
        + "".join(
            f"{r['reference']},{r['amount_fen']},{STATUS[r['owner_id'] == str(a)]}\n" for r in rows
        )
    )
    confirmed = json.loads(invoke(database_url, "dividend", "confirm", "1", str(back), "--json"))
    assert confirmed == {"paid": 1, "paid_fen": 250, "failed": 1, "already_paid": 0}
    assert invoke(database_url, "dividend", "export", "1").count("\n") == 2  # header + b

    proof = json.loads(invoke(database_url, "dividend", "proof", "1", "--owner", str(b)))
    assert proof["amount_fen"] == 751 and proof["root"] == declared["root"]
    leaf = StandardMerkleTree.of(
        [(bytes.fromhex(proof["address"][2:]), 751)], ["address", "uint256"]
    ).tree[0]
    assert verify_proof(
        bytes.fromhex(proof["root"][2:]), leaf, [bytes.fromhex(p[2:]) for p in proof["proof"]]
    )
    dump = json.loads(invoke(database_url, "dividend", "export", "1", "--tree"))
    assert dump["format"] == "standard-v1" and len(dump["values"]) == 2
    listed = invoke(database_url, "dividend", "list")
    assert listed.startswith(
        "dividend 1 (per_circulating): 1001 fen, 1001 to 2 holders of 4.00000000 stones"
    )
