"""The API benchmark runs end to end on a tiny fleet and reports what it measured: every proof
served verifies against the chain's root, every upload is accepted (timings are printed, never
asserted)."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from milestone.cli.main import app


@pytest.mark.slow
def test_bench_api_prints_the_figures_the_issue_asks_for() -> None:
    result = CliRunner().invoke(
        app,
        [
            "bench",
            "api",
            "--json",
            "--seconds",
            "1",
            "--owners",
            "20",
            "--connections",
            "4",
            "--upload-connections",
            "2",
            "--batch",
            "10",
        ],
    )
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    for key in ("proof_rps", "proof_p50_ms", "proof_p99_ms", "upload_reports_per_s"):
        assert data[key] > 0, key
    assert data["proof_errors"] == 0 and data["proof_uncached_errors"] == 0
    assert data["proof_verifies_on_chain_root"] is True
    assert data["upload_errors"] == 0 and data["upload_reports_rejected"] == 0
    assert data["upload_reports_accepted"] > 0
