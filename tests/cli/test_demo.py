"""`milestone demo` on the minimal preset: the JSON summary's verdict and its invariants, on the
embedded default and on PostgreSQL with an anvil node."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy.engine import URL
from typer.testing import CliRunner

from chain.support import DEV_ACCOUNTS, AnvilNode, require_anvil
from milestone.cli.main import app
from milestone.storage import scratch

runner = CliRunner()
SMALL = ["--preset", "minimal", "--vehicles", "6", "--days", "6", "--seed", "5"]
MINIMAL_SUPPLY = 1_500 * 10**8


def demo_json(data_dir: Path, *extra: str, env: dict[str, str] | None = None) -> dict[str, Any]:
    result = runner.invoke(app, ["demo", *SMALL, "--json", "--data-dir", str(data_dir), *extra],
                           env=env)
    assert result.exit_code == 0, result.output
    summary: dict[str, Any] = json.loads(result.stdout)
    return summary


def assert_sound(summary: dict[str, Any]) -> None:
    """What every demo must show, whatever the backends."""
    assert summary["audit_passed"] is True
    assert summary["audit_epochs"] == summary["epochs_settled"] == 6
    assert 0 < summary["released_pebbles"] <= summary["schedule_pebbles"]
    assert summary["mined_pebbles"] <= summary["mining_schedule_pebbles"]
    assert summary["conserved"] and summary["ledger_intact"]
    # minimal eras are 4 epochs: the budget of epoch 4 is half that of epoch 0
    budgets = [line["scheduled"] for line in summary["epochs"]]
    assert budgets[4] == budgets[0] // 2
    for line in summary["epochs"]:
        assert line["cum_mined"] <= line["cum_mining_schedule"]
    assert summary["drops"] > 0 and summary["checkins"] > 0
    # Per stone: the holders' part and the issuer's sum to the declared amount.
    holders, issuer = summary["dividend_holders_fen"], summary["dividend_issuer_fen"]
    assert holders + issuer == summary["dividend_fen"] == 100_000_000
    assert summary["dividend_entitled_fen"] == holders > 0 and issuer > 0
    fairness = summary["fairness"]
    assert fairness["first_epoch_paid_pebbles"] == fairness["first_epoch_budget_pebbles"] > 0
    assert fairness["round_rate_spread"] <= 0.01
    assert "activity_budget_exhausted" not in summary["refusals_by_code"]
    assert sum(summary["holdings"]) <= MINIMAL_SUPPLY
    assert summary["rejections_by_code"]  # the attackers were refused
    assert summary["burned_pebbles"] >= 0
    assert summary["stones_per_100km_by_week"] == []  # six days: no whole week yet
    for key in ("referrals_paid", "orders_fulfilled"):
        assert isinstance(summary[key], int) and summary[key] >= 0
    assert_consortium(summary["parties"])


def assert_consortium(parties: dict[str, Any]) -> None:
    """Two beacon members and two attestors, threshold 2: the operator and one other each,
    every party with its own key and data directory."""
    operator = parties["operator"]
    assert parties["beacon_members"]["operator"] == parties["attestors"]["operator"] == operator
    member = parties["beacon_members"]["beacon-member"]
    attestor = parties["attestors"]["attestor"]
    assert len({operator, member, attestor}) == 3
    assert parties["threshold"] == 2
    for role, key in (("beacon-member", "member.key"), ("attestor", "attestor.key")):
        keys = Path(parties["data_dirs"][role]) / "keys"
        assert (keys / key).stat().st_mode & 0o077 == 0
    assert (Path(parties["data_dirs"]["beacon-member"]) / "keys" / "beacon-secret.sealed").exists()
    # The attestor audited and signed from its own mirror of the published files.
    assert list((Path(parties["data_dirs"]["attestor"]) / "epochs").glob("epoch-*.json.gz"))


def test_demo_on_the_embedded_default_passes_its_audit(tmp_path: Path) -> None:
    summary = demo_json(tmp_path / "data")
    assert_sound(summary)
    report = (tmp_path / "data" / "demo-report.html").read_text()
    assert report.count("data:image/png;base64,") == 4
    # The merchant desk's log-in: a key of the demo's shop, readable by its owner only.
    key_file = tmp_path / "data" / "merchant-desk.key"
    assert key_file.stat().st_mode & 0o777 == 0o600
    from milestone.settings import Settings
    from milestone.storage import open_database
    from milestone.store.merchants import authenticate_merchant

    database = open_database(Settings(data_dir=tmp_path / "data").database_url)
    try:
        with database.session() as session:
            shop = authenticate_merchant(session, key_file.read_text().strip())
        assert shop.name == "IM Lifestyle Store"
    finally:
        database.dispose()


def test_the_same_seed_gives_the_same_traffic(tmp_path: Path) -> None:
    first = demo_json(tmp_path / "a", "--no-settle")
    again = demo_json(tmp_path / "b", "--no-settle")
    assert first["audit_passed"] is None and first["epochs_settled"] == 0
    assert {k: v for k, v in first.items()} == {k: v for k, v in again.items()}
    settle = runner.invoke(app, ["settle", "--json", "--data-dir", str(tmp_path / "a")])
    assert settle.exit_code == 0, settle.output
    assert len(json.loads(settle.stdout)) == 6  # `milestone settle` picks up where it left


def test_a_data_directory_in_use_is_refused(tmp_path: Path) -> None:
    demo_json(tmp_path / "data", "--no-settle", "--days", "1")
    again = runner.invoke(app, ["demo", *SMALL, "--data-dir", str(tmp_path / "data")])
    assert again.exit_code == 1 and "[demo_data_in_use]" in again.output
    assert "simulating days" not in again.output  # refused before drawing its progress bars


@pytest.fixture
def postgres_url(postgres_server: URL) -> Iterator[str]:
    name = scratch.unique_name("milestone_demo")
    yield scratch.create_database(postgres_server, name).render_as_string(hide_password=False)
    scratch.drop_database(postgres_server, name)


@pytest.mark.slow
@pytest.mark.postgres
@pytest.mark.anvil
def test_demo_on_postgresql_and_anvil_passes_its_audit(tmp_path: Path, postgres_url: str) -> None:
    require_anvil()
    node = AnvilNode().start()
    try:
        summary = demo_json(
            tmp_path / "data", "--database-url", postgres_url, "--chain-url", node.url,
            env={"MILESTONE_OPERATOR_KEY": DEV_ACCOUNTS[0].key.hex()},
        )
    finally:
        node.stop()
    assert_sound(summary)
