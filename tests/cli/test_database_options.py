"""Every command opens the database through one helper, which refuses one that is not there."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest
from typer.testing import CliRunner

import milestone.cli
from milestone.cli.main import app

runner = CliRunner()
CLI = Path(milestone.cli.__file__).parent

# Each command that opens the database, with the arguments it needs to get that far.
COMMANDS = [
    ["settle"], ["settle", "attestation", "0", "00"], ["ledger", "totals"], ["ledger", "verify"],
    ["prune"], ["export", "epoch", "0"], ["webhooks", "list"], ["webhooks", "run", "--once"],
    ["telemetry", "rejections"], ["owner", "list"], ["user", "disable", "ann"],
    ["consent", "history", "--owner", "1"], ["vehicle", "show", "1"], ["merchant", "list"],
    ["dividend", "list"], ["campaign", "list"], ["telemetry", "ingest", "REPORTS"],
    ["telemetry", "explain", "REPORTS"],
]


@pytest.mark.parametrize("command", COMMANDS, ids=" ".join)
def test_a_missing_data_directory_is_refused_and_not_created(
    tmp_path: Path, command: list[str]
) -> None:
    missing = tmp_path / "typo"
    reports = tmp_path / "reports.txt"
    reports.write_text("")
    command = [str(reports) if word == "REPORTS" else word for word in command]
    result = runner.invoke(app, [*command, "--data-dir", str(missing)])
    assert result.exit_code == 1, result.output
    assert "[no_database]" in result.stderr
    assert not missing.exists()


def test_only_the_shared_helper_opens_the_database() -> None:
    """`open_database` is called in cli/common.py alone: `opened_from_options` and the helpers
    on it (`read_from_options`, `in_unit_of_work`, `in_snapshot`) are how commands open it."""
    callers = []
    for path in sorted(CLI.glob("*.py")):
        for node in ast.walk(ast.parse(path.read_text())):
            called = node.func if isinstance(node, ast.Call) else None
            name = getattr(called, "id", None) or getattr(called, "attr", None)
            if name in ("open_database", "create_database_engine"):
                callers.append(path.name)
    assert set(callers) == {"common.py"}
