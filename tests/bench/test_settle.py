"""`milestone bench settle`: the figures it reports, for small owner counts (no timing asserted)."""

from __future__ import annotations

import json

from typer.testing import CliRunner

from milestone.bench.settle import run_settle_bench, synthetic_epoch
from milestone.cli.main import app
from milestone.rules.params import get_preset


def test_the_synthetic_epoch_has_two_rounds_per_owner_and_is_repeatable() -> None:
    params = get_preset("im-csop")
    weights, previous, flows = synthetic_epoch(50, params, seed=3)
    assert sum(len(in_round) for in_round in weights.values()) == 100
    assert len(previous) == 50 and len(flows) == 3
    assert synthetic_epoch(50, params, seed=3) == (weights, previous, flows)


def test_one_run_reports_every_stage_and_the_floor() -> None:
    figures = run_settle_bench(300, "minimal").to_json()
    assert figures["owners"] == 300 and figures["weight_leaves"] == 600
    assert figures["state_leaves"] == 300 and 0 < figures["reward_leaves"] <= 300
    assert set(figures["stages"]) >= {"weights_tree", "drops", "state_tree", "epoch_file_render"}
    assert figures["seconds"] > 0 and figures["hash_floor_seconds"] > 0


def test_the_json_maps_owner_counts_to_figures() -> None:
    result = CliRunner().invoke(
        app,
        ["bench", "settle", "--json", "--preset", "minimal", "--owners", "100", "--owners", "400"],
    )
    assert result.exit_code == 0, result.output
    report = json.loads(result.output)
    assert list(report) == ["100", "400"]
    assert {"seconds", "hash_floor_seconds", "ratio", "stages"} <= set(report["100"])
    assert report["400"]["growth_from"] == 100 and report["400"]["n_log_n_growth"] > 4
