"""`milestone bench`: measurements printed as rates and ratios from one run."""

from __future__ import annotations

import json
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from milestone.cli.common import JsonOption

app = typer.Typer(help="Benchmarks: rates and ratios measured in one run.", no_args_is_help=True)


@app.command()
def merkle(
    leaves: Annotated[int, typer.Option(min=1, help="Leaves in the tree.")] = 1_000_000,
    json_output: Annotated[bool, typer.Option("--json", help="Print JSON for machines.")] = False,
) -> None:
    """Build time of an (address, uint256) Merkle tree against the bare keccak floor."""
    from milestone.bench.merkle import run_merkle_bench

    result = run_merkle_bench(leaves)
    if json_output:
        typer.echo(json.dumps(result.to_json(), indent=2))
        return
    table = Table(title=f"Merkle tree of {leaves:,} (address, uint256) leaves")
    table.add_column("measure")
    table.add_column("value", justify="right")
    table.add_row("tree build", f"{result.build_seconds:.3f} s")
    table.add_row(f"keccak floor ({result.hashes:,} hashes)", f"{result.floor_seconds:.3f} s")
    table.add_row("build / floor", f"{result.ratio:.2f}×")
    table.add_row("leaves per second", f"{result.leaves_per_second:,}")
    table.add_row("proofs per second", f"{result.proofs_per_second:,}")
    table.add_row("root", result.root)
    Console(width=max(Console().width, 110)).print(table)


@app.command()
def ledger(
    json_output: JsonOption = False,
    singles: Annotated[int, typer.Option(min=10, help="Transfers, one per transaction.")] = 500,
    batch: Annotated[int, typer.Option(min=10, help="Transfers in one transaction.")] = 10_000,
) -> None:
    """Postings per second on SQLite and PostgreSQL: one by one, in a batch, in one entry."""
    from milestone.bench.ledger import SHAPES, run_ledger_bench

    result = run_ledger_bench(singles=singles, batch=batch)
    if json_output:
        typer.echo(json.dumps(result, indent=2))
        return
    table = Table(title=f"ledger postings/s ({singles} single transfers, batches of {batch})")
    table.add_column("work")
    for backend in ("sqlite", "postgresql", "postgresql_over_sqlite"):
        table.add_column(backend, justify="right")
    pg = result["postgresql"]
    ratios = result.get("postgresql_over_sqlite", {})
    assert isinstance(pg, dict) and isinstance(ratios, dict)
    sqlite = result["sqlite"]
    assert isinstance(sqlite, dict)
    for work in SHAPES:
        table.add_row(
            work,
            f"{sqlite[work]['postings_per_second']:,}",
            f"{pg[work]['postings_per_second']:,}" if work in pg else "skipped",
            f"{ratios[work]}×" if work in ratios else "",
        )
    Console().print(table)
    if "skipped" in pg:
        Console(stderr=True).print(f"PostgreSQL skipped: {pg['skipped']}")


@app.command()
def settle(
    json_output: JsonOption = False,
    owners: Annotated[
        list[int] | None,
        typer.Option("--owners", min=1, help="Owner counts (repeatable); default 1k to 1M."),
    ] = None,
    preset: Annotated[str, typer.Option(help="Parameter preset of the epoch.")] = "im-csop",
) -> None:
    """One epoch's computation for 1k to 1M owners, per stage, against the keccak floor."""
    from milestone.bench.settle import OWNER_COUNTS, run_settle_benches

    result = run_settle_benches(tuple(owners) if owners else OWNER_COUNTS, preset)
    if json_output:
        typer.echo(json.dumps(result, indent=2))
        return
    table = Table(title="one epoch's settlement computation (seconds)")
    table.add_column("stage")
    for count in result:
        table.add_column(f"{int(count):,} owners", justify="right")
    stages = next(iter(result.values()))["stages"]
    for stage in stages:
        table.add_row(stage, *(f"{figures['stages'][stage]:.3f}" for figures in result.values()))
    table.add_row("total", *(f"{figures['seconds']:.3f}" for figures in result.values()))
    table.add_row(
        "keccak floor", *(f"{figures['hash_floor_seconds']:.3f}" for figures in result.values())
    )
    table.add_row("total / floor", *(f"{figures['ratio']:.2f}×" for figures in result.values()))
    table.add_row(
        "same in CPU time", *(f"{figures['cpu_ratio']:.2f}×" for figures in result.values())
    )
    table.add_row(
        "growth vs n log n",
        *(
            f"{figures['time_growth']:.1f}× / {figures['n_log_n_growth']:.1f}×"
            if "time_growth" in figures
            else "-"
            for figures in result.values()
        ),
    )
    Console(width=max(Console().width, 110)).print(table)
