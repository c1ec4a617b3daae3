"""`milestone webhooks`: subscriptions from the command line (the dispatcher's own commands,
`run` and `run --once`, are tested beside it in tests/events/test_processes.py)."""

from __future__ import annotations

import json

from typer.testing import CliRunner

from milestone.cli.main import app
from milestone.storage import Database

runner = CliRunner()

def cli(database_url: str, *args: str, code: int = 0) -> str:
    result = runner.invoke(app, ["webhooks", *args, "--database-url", database_url])
    assert result.exit_code == code, result.output
    return result.output


def test_add_list_replay_remove(database: Database, database_url: str) -> None:
    added = json.loads(cli(database_url, "add", "https://crm.example/h", "--events",
                           "order.placed", "--events", "order.refunded", "--json"))
    assert added["id"] == 1 and added["secret"].startswith("whsec_")
    assert added["event_types"] == ["order.placed", "order.refunded"]
    listed = json.loads(cli(database_url, "list", "--json"))
    assert [w["id"] for w in listed] == [1] and "secret" not in listed[0]
    assert "0 pending, 0 delivered, 0 dead" in cli(database_url, "list")
    assert json.loads(cli(database_url, "replay", "1", "--json")) == {"id": 1, "replayed": 0}
    assert "removed" in cli(database_url, "remove", "1")
    assert cli(database_url, "list") == "no webhooks\n"


def test_refusals_are_one_line_with_a_code(database: Database, database_url: str) -> None:
    assert "[invalid_webhook_url]" in cli(database_url, "add", "crm.example", code=1)
    assert "[unknown_event_type]" in cli(
        database_url, "add", "https://crm.example", "--events", "stones.minted", code=1
    )
    assert "[unknown_webhook]" in cli(database_url, "remove", "4", code=1)
    assert "[unknown_webhook]" in cli(database_url, "replay", "4", code=1)


