"""`milestone init`: one program per database, clear errors, nothing written on refusal."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from milestone.cli.init import parse_genesis
from milestone.cli.main import app
from milestone.ledger import balance_of
from milestone.program.service import load_program
from milestone.storage import Database

runner = CliRunner()


def test_init_creates_the_program_in_the_database_it_is_given(database_url: str) -> None:
    result = runner.invoke(
        app,
        [
            "init",
            "--preset",
            "minimal",
            "--genesis",
            "2026-03-01",
            "--set",
            "drop_size=50000000",
            "--database-url",
            database_url,
        ],
    )
    assert result.exit_code == 0, result.output
    assert "program 'minimal' created: genesis 2026-03-01, supply 1500.00000000" in result.output
    database = Database.from_url(database_url)
    with database.session() as session:
        program = load_program(session)
        assert program.genesis == parse_genesis("2026-03-01")
        assert program.parameters.drop_size == 50_000_000
        assert balance_of(session, "reserve:mining") == program.parameters.mining.pool
    database.dispose()


def test_init_defaults_to_a_sqlite_file_in_the_data_directory(tmp_path: Path) -> None:
    result = runner.invoke(app, ["init", "--preset", "minimal", "--data-dir", str(tmp_path / "d")])
    assert result.exit_code == 0, result.output
    assert (tmp_path / "d" / "milestone.db").exists()


def test_init_twice_is_refused_in_one_line(tmp_path: Path) -> None:
    arguments = ["init", "--preset", "minimal", "--data-dir", str(tmp_path)]
    assert runner.invoke(app, arguments).exit_code == 0
    again = runner.invoke(app, arguments)
    assert again.exit_code == 1
    assert again.stderr.strip() == (
        "error: this database already holds a program [program_already_initialized]"
    )


@pytest.mark.parametrize(
    ("arguments", "code"),
    [
        (["--preset", "nope"], "unknown_preset"),
        (["--genesis", "2026-02-30"], "invalid_genesis"),
        (["--set", "no_such=1"], "unknown_parameter"),
        (["--set", "drop_size=0"], "amount_not_positive"),
        (["--set", "drop_size"], "invalid_parameter"),
    ],
)
def test_bad_options_are_refused_before_any_database_is_made(
    tmp_path: Path, arguments: list[str], code: str
) -> None:
    result = runner.invoke(app, ["init", *arguments, "--data-dir", str(tmp_path / "d")])
    assert result.exit_code == 1
    assert result.stderr.startswith("error: ") and result.stderr.strip().endswith(f"[{code}]")
    assert "Traceback" not in result.output
    assert not (tmp_path / "d").exists()


def test_an_unreachable_database_is_one_line_too(tmp_path: Path) -> None:
    url = "postgresql+psycopg://nobody:x@127.0.0.1:1/none?connect_timeout=2"
    result = runner.invoke(app, ["init", "--preset", "minimal", "--database-url", url])
    assert result.exit_code == 1
    assert result.stderr.strip().endswith("[database_unavailable]")
