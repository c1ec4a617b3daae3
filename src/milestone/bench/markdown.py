"""docs/benchmarks.md from the figures of `milestone bench all`: tables, ratios, the machine."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, Final

SCALE_RUNS: Final[Path] = Path(__file__).resolve().parents[3] / "docs" / "bench-scale.json"
"""The fleet-scale runs too long for `bench all` (1M owners and more), each the `--json` output
of one `milestone bench scale` run, kept so the page shows them beside this run's."""


def render_benchmarks(figures: dict[str, Any]) -> str:
    """The page, every number taken from `figures` (one run of `run_all`)."""
    m = figures["machine"]
    parts = [
        "# Benchmarks\n",
        "Written by `milestone bench all` (do not edit by hand: run it again). Every figure below "
        "comes from one run on the machine described here, next to its floor (the bare cost of "
        "work the step cannot avoid) or its peer. Ratios are measured / floor: 1.00× would be "
        "the floor itself.\n",
        f"- date: {m['date']}\n- CPU: {m['cpu']}, {m['cores']} cores (load average at the start "
        f"{', '.join(str(x) for x in m['load_average'])}: the machine is shared, so wall-clock "
        f"figures are pessimistic; CPU-time ratios are given where the bench measures them)\n"
        f"- {m['system']}, Python {m['python']}, Node {m['node']}\n",
        _merkle(figures["merkle"], figures["merkle_peer"]),
        _ledger(figures["ledger"]),
        _ingest(figures["ingest"]),
        _chain(figures["chain"]),
        _settle(figures["settle"]),
        _api(figures["api"]),
        _audit(figures["audit"]) if "audit" in figures else "",
        _scale(figures.get("scale"), recorded_scale_runs()),
        "## Run times\n\n" + "\n".join(
            f"- `{name}`: {seconds} s" for name, seconds in figures["seconds"].items()
        ) + "\n",
    ]
    return "\n".join(parts)


def _audit(figures: dict[str, Any]) -> str:
    short, long = figures["short"], figures["long"]
    return (
        "## Audit of one new epoch (`milestone bench audit`)\n\n"
        "`milestone audit --from LAST` on the last epoch of a short and a long run of the same "
        "fleet (no growth), starting from what the chain committed for the epoch before.\n\n"
        "| run | epochs | owners | audit of the last epoch |\n|---|---:|---:|---:|\n"
        f"| short | {short['epochs']} | {short['owners']} | "
        f"{short['from_last_seconds'] * 1000:.1f} ms |\n"
        f"| long | {long['epochs']} | {long['owners']} | "
        f"{long['from_last_seconds'] * 1000:.1f} ms |\n\n"
        f"long / short: **{figures['ratio']:.2f}×** (CPU time {figures['cpu_ratio']:.2f}×); "
        "the long run's whole history from genesis: "
        f"{long['from_genesis_seconds']:.2f} s.\n"
    )


def _merkle(ours: dict[str, Any], peer: dict[str, Any]) -> str:
    same = "the same root" if peer["root"] == ours["root"] else "A DIFFERENT ROOT"
    return (
        f"## Merkle tree ({ours['leaves']:,} (address, uint256) leaves)\n\n"
        "| measure | value |\n|---|---:|\n"
        f"| our build (`StandardMerkleTree.of`) | {ours['build_seconds']:.3f} s |\n"
        f"| keccak floor ({ours['hashes']:,} hashes) | {ours['floor_seconds']:.3f} s |\n"
        f"| build / floor | {ours['ratio']:.2f}× |\n"
        f"| `@openzeppelin/merkle-tree` build, same leaves (Node) | {peer['seconds']:.3f} s |\n"
        f"| OpenZeppelin / ours (how many times faster ours is) | "
        f"{peer['seconds'] / ours['build_seconds']:,.1f}× |\n"
        f"| proofs per second | {ours['proofs_per_second']:,} |\n\n"
        f"Both libraries built {same}: `{ours['root']}`.\n"
    )


def _ledger(result: dict[str, Any]) -> str:
    rows = []
    ratios = result.get("postgresql_over_sqlite", {})
    for work, figures in result["sqlite"].items():
        pg = result["postgresql"].get(work) if isinstance(result["postgresql"], dict) else None
        rows.append(
            f"| {work} | {figures['postings_per_second']:,} | "
            f"{pg['postings_per_second']:,} | {_times(ratios.get(work))} |"
            if pg else f"| {work} | {figures['postings_per_second']:,} | skipped | - |"
        )
    return (
        f"## Ledger ({result['singles']} single transfers, batches of {result['batch']:,})\n\n"
        "Postings per second; the floor of a write is the database's own commit, so the "
        "comparison is PostgreSQL against the SQLite file.\n\n"
        "| work | SQLite | PostgreSQL | PostgreSQL / SQLite |\n|---|---:|---:|---:|\n"
        + "\n".join(rows) + "\n"
    )


def _ingest(result: dict[str, Any]) -> str:
    lines = [
        f"## Trip-report intake ({result['reports']:,} signed reports, batches of "
        f"{result['batch']:,})\n",
        "| measure | value |\n|---|---:|",
        f"| bare Ed25519 verifications/s (floor) | {result['verify_floor_per_s']:,} |",
        f"| end-to-end reports/s, SQLite | {result['reports_per_s']:,} |",
        f"| reports / floor, wall clock | {result['ratio']:.3f} |",
        f"| reports / floor, CPU time | {result['ratio_cpu']:.3f} |",
    ]
    pg = result.get("postgresql", {})
    if "skipped" in pg:
        lines.append(f"| PostgreSQL | skipped: {pg['skipped']} |")
    elif pg:
        lines += [
            f"| PostgreSQL, 1 worker, reports/s | {pg['one_worker_reports_per_s']:,} |",
            f"| PostgreSQL, 2 workers, reports/s | {pg['two_workers_reports_per_s']:,} |",
            f"| 2 workers / 1 | {pg['two_over_one']:.2f}× |",
        ]
    return "\n".join(lines) + "\n"


def _chain(result: dict[str, Any]) -> str:
    rows = [
        f"| {int(count):,} | {gas:,} | {result['transfers_gas_by_owners'][count]:,} | "
        f"{_times(result['transfers_over_epoch_by_owners'][count])} |"
        for count, gas in result["epoch_gas_by_owners"].items()
    ]
    return (
        "## Gas per epoch (embedded chain)\n\n"
        "An epoch's on-chain cost does not depend on the number of owners; the floor it is "
        "compared with is paying each owner by one token transfer "
        f"({result['transfer_gas_per_owner']:,} gas each).\n\n"
        "| owners | epoch gas | gas of one transfer per owner | transfers / epoch |\n"
        "|---:|---:|---:|---:|\n" + "\n".join(rows) + "\n"
    )


def _settle(result: dict[str, Any]) -> str:
    counts = list(result)
    header = "| stage | " + " | ".join(f"{int(c):,} owners" for c in counts) + " |"
    rule = "|---|" + "---:|" * len(counts)
    stages = next(iter(result.values()))["stages"]
    rows = [
        f"| {stage} | " + " | ".join(f"{result[c]['stages'][stage]:.3f}" for c in counts) + " |"
        for stage in stages
    ]
    rows += [
        "| **total** | " + " | ".join(f"{result[c]['seconds']:.3f}" for c in counts) + " |",
        "| keccak floor | " + " | ".join(
            f"{result[c]['hash_floor_seconds']:.3f}" for c in counts) + " |",
        "| total / floor | " + " | ".join(f"{result[c]['ratio']:.2f}×" for c in counts) + " |",
        "| same, CPU time | " + " | ".join(
            f"{result[c]['cpu_ratio']:.2f}×" for c in counts) + " |",
    ]
    return (
        "## One epoch's settlement computation (seconds, im-csop)\n\n"
        "Weights, drops, rewards, state tree and epoch file for synthetic owners, against "
        "the bare keccak hashing of the same trees.\n\n"
        + "\n".join([header, rule, *rows]) + "\n"
    )


def _api(result: dict[str, Any]) -> str:
    verdict = "met" if result["meets_target"] else "missed"
    checked = "verified" if result["proof_verifies_on_chain_root"] else "DID NOT verify"
    return (
        f"## The API under load (`milestone serve`, {result['workers']} workers, "
        f"{result['owners']:,} owners, loopback)\n\n"
        "Each phase runs "
        f"{result['seconds']:.0f} s on keep-alive connections from a load generator in the same "
        "process. The floor of an upload is the intake called in-process on the same kind of "
        "reports, so the ratio is what HTTP, JSON and the workers cost.\n\n"
        "| measure | value |\n|---|---:|\n"
        f"| balance with proof, requests/s ({result['connections']} connections) | "
        f"{result['proof_rps']:,.0f} |\n"
        f"| proof latency p50 / p99 | {result['proof_p50_ms']:.1f} / "
        f"{result['proof_p99_ms']:.1f} ms |\n"
        f"| proofs / target of 1,000 per s (p99 under 50 ms: {verdict}) | "
        f"{result['proof_rps_over_target']:.2f}× |\n"
        f"| same, proof cache off: requests/s, p99 | {result['proof_uncached_rps']:,.0f}, "
        f"{result['proof_uncached_p99_ms']:.1f} ms |\n"
        f"| uploaded reports/s (batches of {result['batch']}, "
        f"{result['upload_connections']} connections) | {result['upload_reports_per_s']:,.0f} |\n"
        f"| upload batch latency p50 / p99 | {result['upload_p50_ms']:.1f} / "
        f"{result['upload_p99_ms']:.1f} ms |\n"
        f"| intake in-process, reports/s (floor) | "
        f"{result['intake_in_process_reports_per_s']:,.0f} |\n"
        f"| upload / in-process | {result['upload_over_in_process']:.2f}× |\n"
        f"| errors (proof, uncached, upload) | {result['proof_errors']}, "
        f"{result['proof_uncached_errors']}, {result['upload_errors']} |\n\n"
        f"A proof fetched during the run {checked} against the root committed on-chain. "
        f"Load average at the end: {', '.join(str(x) for x in result['load_average'])}.\n"
    )


def recorded_scale_runs() -> list[dict[str, Any]]:
    """The recorded fleet-scale runs, by owner count; none if the file is missing."""
    if not SCALE_RUNS.exists():
        return []
    runs: list[dict[str, Any]] = json.loads(SCALE_RUNS.read_text(encoding="utf-8"))
    return sorted(runs, key=lambda run: run["owners"])


SCALE_FIGURES: Final[tuple[tuple[str, str], ...]] = (
    ("weight_rows", "weight rows"),
    ("settle_cpu_s", "settle CPU (s)"),
    ("settle_wall_s", "settle wall (s)"),
    ("settle_peak_rss_bytes", "settle peak RSS (MB)"),
    ("hash_floor_cpu_s", "keccak floor CPU (s)"),
    ("settle_over_hash_floor", "settle CPU / floor"),
    ("first_proof_ms", "first proof (ms)"),
    ("proof_worker_rss_bytes", "proof worker RSS (MB)"),
    ("kept_bytes_per_trip_before_prune", "epoch's database bytes per trip, before pruning"),
    ("retained_bytes_per_trip", "epoch's database bytes per trip, after pruning"),
    ("epoch_file_bytes_per_trip", "epoch file (gzip) bytes per trip, kept forever"),
    ("load_average", "load average at the end"),
)


def _scale(result: dict[str, Any] | None, recorded: list[dict[str, Any]]) -> str:
    runs = ([{**result, "_label": "this run"}] if result else []) + [
        {**run, "_label": f"recorded {run.get('date', '')}".strip()} for run in recorded
    ]
    if not runs:
        return ""

    def cell(run: dict[str, Any], key: str) -> str:
        value = run.get(key)
        if value is None:
            return "-"
        if key.endswith("_bytes"):
            return f"{value / 1e6:,.0f}"
        if isinstance(value, list):
            return ", ".join(str(x) for x in value)
        return f"{value:,}"

    header = "| figure | " + " | ".join(
        f"{run['owners']:,} owners ({run['_label']}, {run.get('database', 'sqlite')})"
        for run in runs
    ) + " |"
    rule = "|---|" + "---:|" * len(runs)
    rows = [
        f"| {label} | " + " | ".join(cell(run, key) for run in runs) + " |"
        for key, label in SCALE_FIGURES
    ]
    return (
        "## A fleet's day through the real settlement path (`milestone bench scale`)\n\n"
        "One car per owner, three trips a day of four rounds each; `milestone settle` in a "
        "process of its own (CPU and peak RSS from the kernel), then the first proof of the "
        "epoch from a fresh one-worker `milestone serve`. Recorded runs are kept in "
        "docs/bench-scale.json.\n\n" + "\n".join([header, rule, *rows]) + "\n"
    )


def _times(ratio: float | None) -> str:
    """A ratio with two decimals and its sign, `-` when it was not measured."""
    return "-" if ratio is None else f"{ratio:,.2f}×"
