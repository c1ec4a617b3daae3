"""`milestone` itself: the listing imports no command, every command loads, help shows brackets."""

from __future__ import annotations

import re
import subprocess
import sys
from importlib.metadata import version
from typing import Any

from typer.core import TyperOption
from typer.testing import CliRunner

from milestone.cli.main import COMMANDS, app, load_command
from milestone.settings import Settings

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


NOT_READ_FROM_SETTINGS = {("bench chain", "--chain-url"), ("bench scale", "--database-url")}
"""Options named like a setting that say the setting is not read: a benchmark builds its own."""


def test_every_option_prints_its_env_var_and_its_default() -> None:
    """As rendered (brackets are markup: an unescaped `[env …]` vanishes): an option read from
    the environment names its variable; one that is not required says its default, unless it
    has none to say (an optional filter or input, whose absence is plain)."""
    settings_fields = set(Settings.model_fields)
    problems = []
    for path, command in _every_command():
        rendered = CliRunner().invoke(app, [*path, "--help"], env={"COLUMNS": "400"}).output
        for option in command.params:
            name = option.opts[0] if isinstance(option, TyperOption) else None
            if name is None or option.name in ("help",):
                continue
            text = _rendered_row(rendered, name)
            field = option.name if option.name in settings_fields else None
            env = option.envvar or (f"MILESTONE_{field.upper()}" if field else None)
            where = (" ".join(path), name)
            if where in NOT_READ_FROM_SETTINGS:
                if f"{env} is not read" not in text:
                    problems.append(f"{where}: does not say {env} is not read: {text!r}")
                continue
            if env and f"env {env}" not in text:
                problems.append(f"{where}: no `env {env}` in {text!r}")
            has_default = option.default not in (None, False) or bool(option.secondary_opts)
            if not option.required and (env or has_default) and "default" not in text.lower():
                problems.append(f"{where}: no default in {text!r}")
    assert problems == []


def _every_command() -> list[tuple[list[str], Any]]:
    found = []
    for name in COMMANDS:
        command = load_command(name)
        found.append(([name], command))
        for sub, leaf in (getattr(command, "commands", None) or {}).items():
            found.append(([name, sub], leaf))
    return found


def _rendered_row(rendered: str, option: str) -> str:
    """The text of `option`'s row in a rendered help table, its wrapped lines joined."""
    rows: list[str] = []
    for line in rendered.splitlines():
        body = line.strip("│ ").lstrip("* ")
        if rows and (body.startswith("-") or line.startswith("╰")):
            break
        if rows or re.match(re.escape(option) + r"\b", body):
            rows.append(body)
    return " ".join(rows)
