"""`milestone` itself: the listing imports no command, every command loads, help shows brackets."""

from __future__ import annotations

import subprocess
import sys
from importlib.metadata import version

from typer.testing import CliRunner

from milestone.cli.main import COMMANDS, app, load_command

HEAVY = ("matplotlib", "eth_account", "web3", "sqlalchemy", "vyper", "fastapi")

LISTING_IMPORTS = f"""
import sys
from typer.testing import CliRunner
from milestone.cli.main import app
result = CliRunner().invoke(app, ["--help"])
assert result.exit_code == 0, result.output
print(",".join(name for name in {HEAVY!r} if name in sys.modules))
"""


def test_the_listing_imports_none_of_the_heavy_packages() -> None:
    loaded = subprocess.run(
        [sys.executable, "-c", LISTING_IMPORTS], capture_output=True, text=True, check=True
    ).stdout.strip()
    assert loaded == ""


def test_the_listing_names_every_command_with_its_help_line() -> None:
    result = CliRunner().invoke(app, ["--help"], env={"COLUMNS": "200"})
    assert result.exit_code == 0
    for name, lazy in COMMANDS.items():
        assert f" {name} " in result.output
        assert lazy.help.split(":")[0] in result.output


def test_every_command_loads_and_answers_its_own_help() -> None:
    for name in COMMANDS:
        assert load_command(name).name == name
        result = CliRunner().invoke(app, [name, "--help"], env={"COLUMNS": "200"})
        assert result.exit_code == 0, (name, result.output)
    owner = CliRunner().invoke(app, ["owner", "--help"], env={"COLUMNS": "200"}).output
    assert "certify" in owner and "revoke" in owner


def test_version() -> None:
    result = CliRunner().invoke(app, ["--version"])
    assert result.exit_code == 0
    assert result.output == f"milestone {version('milestone')}\n"


def test_help_prints_the_brackets_of_env_and_default() -> None:
    result = CliRunner().invoke(app, ["init", "--help"], env={"COLUMNS": "200"})
    assert "Data directory [env MILESTONE_DATA_DIR; default ./.milestone]." in result.output


def test_an_unknown_command_is_refused() -> None:
    result = CliRunner().invoke(app, ["nonsense"])
    assert result.exit_code == 2
    assert "No such command" in result.output
