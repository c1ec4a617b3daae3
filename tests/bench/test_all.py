"""`milestone bench all`'s parts: the OpenZeppelin peer builds our tree, and the page renders
every figure it is given."""

from __future__ import annotations

import shutil

import pytest

from milestone.bench.all import machine, run_peer_merkle
from milestone.bench.api import run_api_bench
from milestone.bench.chain import run_chain_bench
from milestone.bench.ingest import run_ingest_bench
from milestone.bench.ledger import run_ledger_bench
from milestone.bench.markdown import render_benchmarks
from milestone.bench.merkle import run_merkle_bench
from milestone.bench.scale import run_scale_bench
from milestone.bench.settle import run_settle_benches

needs_node = pytest.mark.skipif(shutil.which("node") is None, reason="node is not installed")


@needs_node
def test_the_peer_builds_the_same_root_from_the_same_leaves() -> None:
    peer = run_peer_merkle(300, seed=4)
    assert peer["root"] == run_merkle_bench(300, seed=4).root
    assert peer["seconds"] > 0
    assert run_peer_merkle(300, seed=5)["root"] != peer["root"]


@needs_node
@pytest.mark.slow
def test_the_page_carries_every_benchmark_and_the_machine() -> None:
    figures = {
        "machine": machine(),
        "merkle": run_merkle_bench(200).to_json(),
        "merkle_peer": run_peer_merkle(200),
        "ledger": run_ledger_bench(singles=10, batch=50),
        "ingest": run_ingest_bench(vehicles=3, trips=3, batch=5, postgres=False),
        "chain": run_chain_bench([10], 2, None, None).to_json(),
        "settle": run_settle_benches((100,), "minimal"),
        "api": run_api_bench(seconds=0.5, owners=10, connections=2, upload_connections=1,
                             batch=5, preset="minimal"),
        "scale": run_scale_bench(30).to_json(),
        "seconds": {"merkle": 0.1},
    }
    page = render_benchmarks(figures)
    for heading in ("## Merkle tree", "## Ledger", "## Trip-report intake", "## Gas per epoch",
                    "## One epoch's settlement", "## The API under load", "## A fleet's day"):
        assert heading in page
    assert "the same root" in page and "A DIFFERENT ROOT" not in page
    assert figures["machine"]["cpu"] in page and figures["machine"]["date"] in page
    assert f"{figures['ingest']['verify_floor_per_s']:,}" in page
    assert "verified against the root committed on-chain" in page
