"""The Merkle benchmark reports consistent figures (its timings are printed, never asserted)."""

from __future__ import annotations

import json

from typer.testing import CliRunner

from milestone.bench.merkle import LEAF_TYPES, make_leaves, run_merkle_bench
from milestone.cli.main import app
from milestone.rules.merkle import StandardMerkleTree


def test_the_bench_builds_the_tree_it_reports() -> None:
    result = run_merkle_bench(leaves=2_000, seed=7)
    expected = StandardMerkleTree.of(make_leaves(2_000, seed=7), LEAF_TYPES)
    assert result.root == "0x" + expected.root.hex()
    assert result.hashes == 3 * 2_000 - 1
    assert result.build_seconds > 0 and result.floor_seconds > 0
    assert result.ratio > 0 and result.leaves_per_second > 0 and result.proofs_per_second > 0


def test_leaves_are_reproducible() -> None:
    assert make_leaves(5, seed=1) == make_leaves(5, seed=1) != make_leaves(5, seed=2)


def test_bench_merkle_prints_json() -> None:
    result = CliRunner().invoke(app, ["bench", "merkle", "--leaves", "300", "--json"])
    assert result.exit_code == 0, result.stderr
    data = json.loads(result.stdout)
    assert data["leaves"] == 300
    assert {"build_seconds", "floor_seconds", "ratio", "root"} <= set(data)


def test_bench_merkle_refuses_an_empty_tree() -> None:
    result = CliRunner().invoke(app, ["bench", "merkle", "--leaves", "0"])
    assert result.exit_code != 0
