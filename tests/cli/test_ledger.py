"""`milestone ledger verify | balance | totals`."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import text
from typer.testing import CliRunner

from milestone.cli.main import app
from milestone.clock import ManualClock
from milestone.ledger import ACTIVITY_RESERVE, open_accounts, post_transaction, transfer
from milestone.program.service import Program
from milestone.storage import Database

runner = CliRunner()


@pytest.fixture
def ledger(database: Database, clock: ManualClock, program: Program) -> Database:
    with database.transaction() as session:
        open_accounts(session, clock, ["owner:1"])
        post_transaction(session, clock, "grant", "g", transfer(ACTIVITY_RESERVE, "owner:1", 250))
    return database


def test_verify_passes_an_intact_ledger(ledger: Database, database_url: str) -> None:
    result = runner.invoke(app, ["ledger", "verify", "--database-url", database_url])
    assert result.exit_code == 0, result.output
    assert result.output.startswith("ledger intact: 2 entries, 5 postings, head 0x")
    as_json = runner.invoke(app, ["ledger", "verify", "--json", "--database-url", database_url])
    assert json.loads(as_json.output)["ok"] is True


def test_verify_fails_naming_the_first_broken_entry(ledger: Database, database_url: str) -> None:
    with ledger.engine.begin() as connection:
        connection.execute(
            text("UPDATE journal_posting SET amount = 1 WHERE entry_seq = 2 AND position = 1")
        )
    result = runner.invoke(app, ["ledger", "verify", "--database-url", database_url])
    assert result.exit_code == 1
    assert result.stderr.startswith(
        "ledger BROKEN at entry 2: entry 2: stored content does not match its hash [hash_mismatch]"
    )
    as_json = runner.invoke(app, ["ledger", "verify", "--json", "--database-url", database_url])
    assert as_json.exit_code == 1
    report = json.loads(as_json.output)
    assert report["ok"] is False
    assert (report["first_problem"]["code"], report["first_problem"]["seq"]) == ("hash_mismatch", 2)


def test_balance_and_totals(ledger: Database, database_url: str) -> None:
    balance = runner.invoke(app, ["ledger", "balance", "owner:1", "--database-url", database_url])
    assert balance.output.strip() == "owner:1: 0.00000250 stones"
    at_epoch = runner.invoke(
        app, ["ledger", "balance", "owner:1", "--epoch", "-1", "--database-url", database_url]
    )
    assert at_epoch.output.strip() == "owner:1: 0.00000000 stones"
    totals = runner.invoke(app, ["ledger", "totals", "--json", "--database-url", database_url])
    assert json.loads(totals.output)["circulating"] == 250
    assert json.loads(totals.output)["reconciles"] is True


def test_an_unknown_account_or_an_empty_database_is_one_line(database_url: str) -> None:
    result = runner.invoke(app, ["ledger", "balance", "owner:9", "--database-url", database_url])
    assert result.exit_code == 1
    assert result.stderr.strip().endswith("[unknown_account]")
    result = runner.invoke(app, ["ledger", "verify", "--database-url", database_url])
    assert result.exit_code == 1
    assert result.stderr.strip().endswith("[program_not_initialized]")


def test_totals_print_a_headed_table_with_grouped_digits(
    ledger: Database, database_url: str
) -> None:
    result = runner.invoke(
        app, ["ledger", "totals", "--database-url", database_url], env={"COLUMNS": "120"}
    )
    assert result.exit_code == 0, result.output
    assert "where" in result.output and "stones" in result.output  # the header
    assert "1,500.00000000" in result.output  # the minimal program's supply, grouped
    assert "reconciles" in result.output and "yes" in result.output
