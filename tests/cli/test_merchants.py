"""`milestone merchant`: registration, keys, catalogue and orders."""

from __future__ import annotations

import json

from typer.testing import CliRunner

from milestone.cli.main import app
from milestone.storage import Database
from milestone.store.merchants import authenticate_merchant

runner = CliRunner()


def run(database_url: str, *args: str) -> object:
    result = runner.invoke(app, [*args, "--json", "--database-url", database_url])
    assert result.exit_code == 0, result.output
    return json.loads(result.output)


def test_a_merchant_and_its_catalogue(
    database: Database, database_url: str, program: object
) -> None:
    added = run(database_url, "merchant", "add", "IM Store", "--category", "shop")
    assert isinstance(added, dict) and added["api_key"].startswith("mk_")
    with database.session() as session:
        assert authenticate_merchant(session, added["api_key"]).id == added["merchant_id"]
    item = run(
        database_url,
        "merchant",
        "item-add",
        "1",
        "--sku",
        "CAP",
        "--title",
        "Cap",
        "--price",
        "2.5",
        "--cash-fen",
        "990",
        "--stock",
        "10",
    )
    assert item == {
        "id": 1,
        "merchant_id": 1,
        "sku": "CAP",
        "title": "Cap",
        "price": "2.50000000",
        "cash_fen": 990,
        "stock": 10,
        "active": True,
    }
    updated = run(database_url, "merchant", "item-update", "1", "--unlimited", "--withdrawn")
    assert isinstance(updated, dict) and (updated["stock"], updated["active"]) == (None, False)
    assert run(database_url, "merchant", "items") == []
    assert len(run(database_url, "merchant", "items", "1", "--all")) == 1  # type: ignore[arg-type]
    rotated = run(database_url, "merchant", "rotate-key", "1")
    assert isinstance(rotated, dict) and rotated["api_key"] != added["api_key"]
    assert run(database_url, "merchant", "orders", "1") == []
    listed = run(database_url, "merchant", "list")
    assert listed == [
        {
            "id": 1,
            "name": "IM Store",
            "category": "shop",
            "held": "0.00000000",
            "deactivated_at": None,
        }
    ]
    result = runner.invoke(app, ["merchant", "deactivate", "1", "--database-url", database_url])
    assert result.output == "merchant 1 deactivated\n"


def test_refusals_are_one_line_with_their_code(database_url: str, program: object) -> None:
    for args, code in [
        (["merchant", "add", "Shop", "--category", "casino"], "invalid_merchant"),
        (
            ["merchant", "item-add", "9", "--sku", "A", "--title", "A", "--price", "1"],
            "unknown_merchant",
        ),
        (["merchant", "item-update", "9", "--price", "1"], "unknown_item"),
    ]:
        result = runner.invoke(app, [*args, "--database-url", database_url])
        assert result.exit_code == 1, result.output
        assert result.output.rstrip().endswith(f"[{code}]") and "Traceback" not in result.output
