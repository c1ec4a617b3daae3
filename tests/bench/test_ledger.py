"""`milestone bench ledger` runs on both backends and leaves each ledger intact (no timing here)."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from milestone.cli.main import app
from milestone.storage import scratch


@pytest.mark.postgres
def test_the_ledger_bench_reports_both_backends_side_by_side() -> None:
    reason = scratch.unreachable_reason(scratch.server_url())
    if reason is not None:
        pytest.skip(reason)
    result = CliRunner().invoke(
        app, ["bench", "ledger", "--json", "--singles", "10", "--batch", "50"]
    )
    assert result.exit_code == 0, result.output
    report = json.loads(result.output)
    shapes = ["single", "loop", "bulk", "entry", "verify"]
    for backend in ("sqlite", "postgresql"):
        assert [report[backend][shape]["postings"] for shape in shapes] == [20, 98, 98, 50, 271]
        assert all(report[backend][shape]["postings_per_second"] > 0 for shape in shapes)
    assert set(report["postgresql_over_sqlite"]) == set(shapes)
