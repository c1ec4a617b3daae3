"""`milestone bench all`: every benchmark in one run, written to docs/benchmarks.md.

Each figure is measured in this run on this machine, next to its floor (the bare cost of the
work the step cannot avoid: keccak hashes, Ed25519 verifications, token transfers) and, for the
Merkle tree, next to the peer: OpenZeppelin's own `@openzeppelin/merkle-tree` building the same
leaves in Node, timed in the same run. The API's figures sit next to the intake called in-process
and to the target of 1,000 proofs a second.
"""

from __future__ import annotations

import json
import os
import platform
import subprocess
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any, Final

from milestone.bench.api import run_api_bench
from milestone.bench.audit import run_audit_bench
from milestone.bench.chain import run_chain_bench
from milestone.bench.ingest import run_ingest_bench
from milestone.bench.ledger import run_ledger_bench
from milestone.bench.merkle import LEAF_TYPES, make_leaves, run_merkle_bench
from milestone.bench.scale import run_scale_bench
from milestone.bench.settle import run_settle_benches

PEER_LEAVES: Final[int] = 100_000
SCALE_OWNERS: Final[int] = 100_000
TOOLS: Final[Path] = Path(__file__).resolve().parents[3] / "tools"
PEER_SCRIPT: Final[Path] = TOOLS / "oz-merkle-bench.mjs"


def run_peer_merkle(leaves: int = PEER_LEAVES, seed: int = 0) -> dict[str, Any]:
    """OpenZeppelin's tree of the same leaves as `run_merkle_bench`, built and timed in Node."""
    values = [["0x" + address.hex(), str(amount)] for address, amount in make_leaves(leaves, seed)]
    with tempfile.TemporaryDirectory() as scratch:
        path = Path(scratch) / "leaves.json"
        path.write_text(json.dumps({"types": list(LEAF_TYPES), "values": values}))
        done = subprocess.run(
            ["node", str(PEER_SCRIPT), str(path)], cwd=TOOLS, capture_output=True, text=True,
            check=True, timeout=600,
        )
    result: dict[str, Any] = json.loads(done.stdout)
    return result


def machine() -> dict[str, Any]:
    """What the figures were measured on."""
    model = "unknown"
    cpuinfo = Path("/proc/cpuinfo")
    if cpuinfo.exists():
        for line in cpuinfo.read_text().splitlines():
            if line.startswith("model name"):
                model = line.partition(":")[2].strip()
                break
    node = subprocess.run(["node", "--version"], capture_output=True, text=True, check=False)
    return {
        "cpu": model,
        "cores": os.cpu_count(),
        "load_average": [round(x, 2) for x in os.getloadavg()],
        "system": f"{platform.system()} {platform.release()}",
        "python": platform.python_version(),
        "node": node.stdout.strip() or "missing",
        "date": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
    }


def run_all(on_start: Callable[[str], None] | None = None) -> dict[str, Any]:
    """Every benchmark at the sizes `docs/benchmarks.md` reports; returns their figures."""
    runs: list[tuple[str, Callable[[], Any]]] = [
        ("merkle", lambda: run_merkle_bench(PEER_LEAVES).to_json()),
        ("merkle_peer", run_peer_merkle),
        ("ledger", lambda: run_ledger_bench(singles=300, batch=5_000)),
        ("ingest", lambda: run_ingest_bench(vehicles=100, trips=50, batch=2_000, postgres=True)),
        ("chain", lambda: run_chain_bench([10, 1_000, 100_000], 20, None, None).to_json()),
        ("settle", lambda: run_settle_benches((1_000, 10_000, 100_000), "im-csop")),
        ("api", lambda: run_api_bench(seconds=30.0)),
        ("audit", run_audit_bench),
        ("scale", lambda: run_scale_bench(SCALE_OWNERS).to_json()),
    ]
    figures: dict[str, Any] = {"machine": machine()}
    for name, run in runs:
        if on_start is not None:
            on_start(name)
        started = time.perf_counter()
        figures[name] = run()
        figures.setdefault("seconds", {})[name] = round(time.perf_counter() - started, 1)
    return figures
