"""Every command opens the database through one helper, which refuses one that is not there."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest
from typer.testing import CliRunner

import milestone.cli
from milestone.cli.main import COMMANDS as MAIN_COMMANDS
from milestone.cli.main import app, load_command

runner = CliRunner()
CLI = Path(milestone.cli.__file__).parent

KEY = "0x" + "22" * 32
ED25519 = "00" * 32
ADDRESS = "0x" + "11" * 20
# Each command that takes --data-dir, with the arguments it needs to get that far and the code
# it refuses a missing data directory with (FILE: an empty file). Commands that open the
# database refuse with `no_database`; the chain's commands and a beacon member, which keep keys
# and secrets in the directory, with `no_data_directory`; readers of the chain (audit, attest,
# export roots) need the directory only for the Program's record, and find none.
COMMANDS: list[tuple[list[str], str]] = [
    *(([*words], "no_database") for words in (
        ["settle"], ["settle", "attestation", "0", "00"], ["ledger", "totals"],
        ["ledger", "verify"], ["ledger", "balance", "supply"], ["prune"],
        ["export", "epoch", "0"], ["webhooks", "list"], ["webhooks", "run", "--once"],
        ["webhooks", "add", "http://127.0.0.1:9/hook"], ["webhooks", "remove", "1"],
        ["webhooks", "replay", "1"], ["telemetry", "rejections"],
        ["telemetry", "ingest", "FILE"], ["telemetry", "explain", "FILE"],
        ["owner", "create"], ["owner", "list"], ["owner", "show", "1"],
        ["owner", "certify", "1"], ["owner", "revoke", "1", "--reason", "lost"],
        ["user", "create", "ann"], ["user", "list"], ["user", "disable", "ann"],
        ["user", "password", "ann"],
        ["vehicle", "register", "--vin", "WVWZZZ1JZXW000001", "--public-key", ED25519],
        ["vehicle", "import", "FILE"], ["vehicle", "transfer", "1", "--to", "1"],
        ["vehicle", "release", "1"], ["vehicle", "rotate-key", "1", "--public-key", ED25519],
        ["vehicle", "revoke-key", "1", "--reason", "lost"], ["vehicle", "show", "1"],
        ["consent", "grant", "--owner", "1", "--vehicle", "1", "--scope", "trips",
         "--terms", "v1"],
        ["consent", "revoke", "--owner", "1", "--vehicle", "1", "--scope", "trips"],
        ["consent", "history", "--owner", "1"],
        ["campaign", "create", "--name", "x", "--budget", "1", "--reward", "1",
         "--ends", "2030-01-01"],
        ["campaign", "list"], ["campaign", "show", "1"], ["campaign", "codes", "1"],
        ["campaign", "confirm", "1", "--owner", "1", "--reference", "r"],
        ["campaign", "upload", "1", "FILE", "--key", "k"], ["campaign", "close", "1"],
        ["merchant", "add", "shop"], ["merchant", "list"], ["merchant", "rotate-key", "1"],
        ["merchant", "deactivate", "1"],
        ["merchant", "item-add", "1", "--sku", "s", "--title", "t", "--price", "1"],
        ["merchant", "item-update", "1"], ["merchant", "items", "1"],
        ["merchant", "orders", "1"],
        ["dividend", "declare", "--amount-fen", "100", "--record-epoch", "0",
         "--payment-date", "2030-01-01"],
        ["dividend", "list"], ["dividend", "export", "1"], ["dividend", "confirm", "1", "FILE"],
        ["dividend", "proof", "1", "--owner", "1"],
        ["sales", "add", "dealer", "--public-key", ED25519], ["sales", "list"],
        ["sales", "revoke", "1"],
    )),
    *(([*words], "no_data_directory") for words in (
        ["chain", "deploy"], ["chain", "status"], ["chain", "verify-epoch", "0"],
        ["chain", "grant", "attestor", ADDRESS], ["chain", "revoke", "attestor", ADDRESS],
        ["chain", "set-threshold", "1"], ["chain", "transfer-operator", ADDRESS],
        ["chain", "accept-operator"],
        ["beacon", "step", "--chain-url", "http://127.0.0.1:9", "--contract", ADDRESS,
         "--member-key", KEY],
    )),
    *(([*words], "program_not_found") for words in (
        ["audit"], ["attest", "0", "--attestor-key", KEY], ["export", "roots"],
    )),
]

MAKE_THEIR_DIRECTORY = {
    "init": "creates the program, and its data directory with it",
    "demo": "simulates into a fresh data directory, refusing one in use",
    "serve": "serves a new data directory, answering program_not_initialized until init",
}
"""Commands that take --data-dir and make a missing one on purpose."""


@pytest.mark.parametrize(("command", "code"), COMMANDS, ids=lambda c: " ".join(c))
def test_a_missing_data_directory_is_refused_and_not_created(
    tmp_path: Path, command: list[str], code: str
) -> None:
    missing = tmp_path / "typo"
    file = tmp_path / "empty.txt"
    file.write_text("")
    command = [str(file) if word == "FILE" else word for word in command]
    result = runner.invoke(app, [*command, "--data-dir", str(missing)], input="pw\npw\n")
    assert result.exit_code == 1, result.output
    assert f"[{code}]" in result.stderr
    assert not missing.exists()


def test_every_command_taking_a_data_directory_is_tried_without_one() -> None:
    tried = {_command_path(words) for words, _ in COMMANDS}
    taking = {" ".join(path) for path in _commands_taking_a_data_directory()}
    assert taking - tried == set(MAKE_THEIR_DIRECTORY)
    assert tried <= taking


def _command_path(words: list[str]) -> str:
    """The command's name in `words`, without its arguments."""
    group = load_command(words[0])
    if not hasattr(group, "commands") or len(words) == 1 or words[1] not in group.commands:
        return words[0]
    return f"{words[0]} {words[1]}"


def _commands_taking_a_data_directory() -> list[list[str]]:
    found = []
    for name in MAIN_COMMANDS:
        command = load_command(name)
        for path, leaf in [([name], command)] + [
            ([name, sub], c) for sub, c in (getattr(command, "commands", None) or {}).items()
        ]:
            if any("--data-dir" in getattr(p, "opts", ()) for p in leaf.params):
                found.append(path)
    return found


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
