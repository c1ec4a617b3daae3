"""With CI=true a skip for want of a real service fails; other skips, and local runs, stay."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
from sqlalchemy import text

from milestone.storage import Database
from realservices import fail_skipped_service

REPO = Path(__file__).resolve().parents[1]
UNREACHABLE = "postgresql+psycopg://nobody@127.0.0.1:9/postgres"
PROBE = "tests/test_realservices.py::test_the_probe_opens_its_database[postgresql]"

POSTGRES_DOWN = "PostgreSQL at postgresql://localhost/ unreachable: connection refused"


class Item:
    def __init__(self, nodeid: str, markers: tuple[str, ...] = ()) -> None:
        self.nodeid = nodeid
        self.markers = markers

    def get_closest_marker(self, name: str) -> Any:
        return name if name in self.markers else None


def skipped(reason: str) -> Any:
    return SimpleNamespace(skipped=True, outcome="skipped", longrepr=("file", 1, reason))


@pytest.mark.parametrize(
    ("item", "reason"),
    [
        (Item("tests/x.py::test_a[postgres]"), "any reason"),
        (Item("tests/x.py::test_b", ("anvil",)), "anvil is not installed"),
        (Item("tests/x.py::test_c"), POSTGRES_DOWN),
        (Item("tests/x.py::test_d"), "node is not installed: the OpenZeppelin cross-check"),
        (Item("tests/web/t.py::test_e", ("browser",)), "no chromium"),
    ],
)
def test_in_ci_a_missing_service_fails_the_test(
    monkeypatch: pytest.MonkeyPatch, item: Item, reason: str
) -> None:
    monkeypatch.setenv("CI", "true")
    report = skipped(reason)
    fail_skipped_service(item, report)  # type: ignore[arg-type]
    assert report.outcome == "failed"
    assert reason in report.longrepr


def test_other_skips_stay_skips_in_ci(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CI", "true")
    report = skipped("SQLite runs one write transaction at a time: nothing to wait for")
    fail_skipped_service(Item("tests/t.py::test_f[sqlite]"), report)  # type: ignore[arg-type]
    assert report.outcome == "skipped"


def test_outside_ci_a_missing_service_is_a_skip(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("CI", raising=False)
    report = skipped(POSTGRES_DOWN)
    fail_skipped_service(Item("tests/t.py::test_g[postgres]"), report)  # type: ignore[arg-type]
    assert report.outcome == "skipped"


def test_the_probe_opens_its_database(database: Database) -> None:
    """Run on both databases; the next test runs its PostgreSQL half with the server away."""
    with database.session() as session:
        assert session.execute(text("SELECT 1")).scalar_one() == 1


@pytest.mark.parametrize("ci", [True, False])
def test_a_run_with_the_server_away_fails_in_ci_and_skips_locally(ci: bool) -> None:
    """The whole chain, through this suite's own conftest hook: a pytest run of a PostgreSQL
    test with the server unreachable exits non-zero with CI=true, and 0 (skipped) without."""
    env = {k: v for k, v in os.environ.items() if k != "CI"}
    env["MILESTONE_TEST_PG_URL"] = UNREACHABLE
    if ci:
        env["CI"] = "true"
    run = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-p", "no:xdist", PROBE],
        cwd=REPO, env=env, capture_output=True, text=True, timeout=300,
    )
    if ci:
        assert run.returncode == 1, run.stdout
        assert "CI=true and a real service is missing" in run.stdout
    else:
        assert run.returncode == 0, run.stdout
        assert "1 skipped" in run.stdout
