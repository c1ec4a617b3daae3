"""`milestone bench`: measurements printed as rates and ratios from one run."""

from __future__ import annotations

import json
from pathlib import Path
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
def ingest(
    json_output: JsonOption = False,
    vehicles: Annotated[int, typer.Option(min=1, help="Vehicles of the bench fleet.")] = 200,
    trips: Annotated[int, typer.Option(min=1, help="Reports per vehicle.")] = 100,
    batch: Annotated[int, typer.Option(min=1, help="Reports per intake transaction.")] = 2_000,
    postgres: Annotated[
        bool, typer.Option(help="Also measure one and two worker processes on PostgreSQL.")
    ] = True,
    prefill: Annotated[
        int,
        typer.Option(min=0, help="Trip rows written in bulk, to compare the intake's rate on "
                     "an empty database with its rate on one this full (e.g. 10000000)."),
    ] = 0,
) -> None:
    """Trip-report intake against bare Ed25519 verification; PostgreSQL workers 2 against 1."""
    from milestone.bench.ingest import run_ingest_bench

    result = run_ingest_bench(
        vehicles=vehicles, trips=trips, batch=batch, postgres=postgres, prefill=prefill
    )
    if json_output:
        typer.echo(json.dumps(result, indent=2))
        return
    table = Table(title=f"intake of {result['reports']:,} signed reports, batches of {batch:,}")
    table.add_column("measure")
    table.add_column("value", justify="right")
    table.add_row("bare Ed25519 verifications/s", f"{result['verify_floor_per_s']:,}")
    table.add_row("end-to-end reports/s (SQLite)", f"{result['reports_per_s']:,}")
    table.add_row("ratio (wall clock)", f"{result['ratio']:.3f}")
    table.add_row("ratio (CPU time)", f"{result['ratio_cpu']:.3f}")
    if prefill:
        table.add_row(f"reports/s, empty / {prefill:,} trip rows (SQLite)",
                      f"{result['reports_per_s_empty']:,} / {result['reports_per_s_prefilled']:,}")
        table.add_row("full / empty (wall, CPU, against the floor)",
                      f"{result['prefilled_over_empty']}, {result['prefilled_over_empty_cpu']}, "
                      f"{result['prefilled_over_empty_by_floor']}")
        table.add_row("prefill (SQLite), s", f"{result['prefill_s']}")
    pg = result.get("postgresql", {})
    if "skipped" in pg:
        table.add_row("PostgreSQL", f"skipped: {pg['skipped']}")
    elif pg:
        table.add_row("PostgreSQL, 1 worker reports/s", f"{pg['one_worker_reports_per_s']:,}")
        table.add_row("PostgreSQL, 2 workers reports/s", f"{pg['two_workers_reports_per_s']:,}")
        table.add_row("2 workers / 1", f"{pg['two_over_one']:.2f}×")
        if "prefilled_over_empty" in pg:
            table.add_row("PostgreSQL 1 worker, full / empty (mean of the runs before and after)",
                          f"{pg['prefilled_over_empty']}")
            table.add_row("prefill (PostgreSQL), s", f"{pg['prefill_s']}")
        for run, label in (("one_worker", "1 worker"), ("two_workers", "2 workers")):
            cpu = pg["cpu_us_per_report"][run]
            table.add_row(f"CPU µs/report, {label}: worker, database",
                          f"{cpu['worker']}, {cpu['database']}")
        table.add_row("load average at start / cores",
                      f"{pg['load_average_at_start']} / {pg['cores']}")
    Console().print(table)


@app.command()
def enrol(
    json_output: JsonOption = False,
    vehicles: Annotated[int, typer.Option(min=1, help="Vehicles in the imported CSV.")] = 20_000,
    singles: Annotated[
        int, typer.Option(min=1, help="Vehicles registered one per transaction.")
    ] = 500,
    postgres: Annotated[bool, typer.Option(help="Also measure on PostgreSQL.")] = True,
) -> None:
    """`milestone vehicle import` against registering vehicles one at a time."""
    from milestone.bench.enrol import run_enrol_bench

    result = run_enrol_bench(vehicles, singles, postgres)
    if json_output:
        typer.echo(json.dumps(result, indent=2))
        return
    table = Table(title=f"enrolling vehicles: a CSV of {vehicles:,} against {singles:,} singly")
    table.add_column("measure")
    for backend in ("sqlite", "postgresql"):
        table.add_column(backend, justify="right")
    rows = ("import_per_s", "import_cpu_us_per_vehicle", "single_per_s",
            "single_cpu_us_per_vehicle", "import_over_single", "key_check_floor_per_s",
            "key_check_cpu_us_per_vehicle", "import_over_key_check_floor")
    pg = result.get("postgresql", {})
    for row in rows:
        table.add_row(row, f"{result['sqlite'][row]:,}",
                      f"{pg[row]:,}" if row in pg else pg.get("skipped", "skipped"))
    table.add_row("load average at start / cores",
                  f"{result['load_average_at_start']} / {result['cores']}", "")
    Console().print(table)


@app.command()
def chain(
    owners: Annotated[
        list[int] | None,
        typer.Option(min=1, help="Owners in the epoch's trees; repeat for several \\[10, 100000]."),
    ] = None,
    transfers: Annotated[
        int, typer.Option(min=1, help="Single token transfers to average over.")
    ] = 50,
    chain_url: Annotated[
        str | None,
        typer.Option(
            "--chain-url",
            help="A node to measure on \\[default: a throwaway embedded chain; "
            "MILESTONE_CHAIN_URL is not read: a benchmark never touches the configured chain].",
        ),
    ] = None,
    operator_key: Annotated[
        str | None,
        typer.Option(
            envvar="MILESTONE_OPERATOR_KEY",
            show_envvar=False,
            help="Funded key for --chain-url \\[env MILESTONE_OPERATOR_KEY; no default: "
            "a remote node needs a key funded there].",
        ),
    ] = None,
    json_output: JsonOption = False,
) -> None:
    """Gas of a whole epoch for few and many owners, against one token transfer per owner."""
    from milestone.bench.chain import DEFAULT_OWNERS, run_chain_bench

    if chain_url and not operator_key:
        typer.echo("error: --chain-url needs a funded --operator-key [invalid_option]", err=True)
        raise typer.Exit(1)
    result = run_chain_bench(owners or list(DEFAULT_OWNERS), transfers, chain_url, operator_key)
    if json_output:
        typer.echo(json.dumps(result.to_json(), indent=2))
        return
    table = Table(title=f"Gas per epoch on {result.chain}")
    table.add_column("owners", justify="right")
    for step in ("commit", "weights", "reveal", "finalize", "epoch", "pay by transfers", "ratio"):
        table.add_column(step, justify="right")
    for count, gas in result.epoch_gas_by_owners.items():
        steps = result.epoch_steps_gas_by_owners[count]
        table.add_row(
            f"{int(count):,}",
            *(f"{value:,}" for value in steps.values()),
            f"{gas:,}",
            f"{result.transfers_gas_by_owners[count]:,}",
            f"{result.transfers_over_epoch_by_owners[count]:,}×",
        )
    Console(width=max(Console().width, 110)).print(table)
    typer.echo(
        f"one transfer to a new holder: {result.transfer_gas_per_owner:,} gas; "
        f"in a batch of 200: {result.batched_transfer_gas_per_owner:,} gas per holder"
    )


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


@app.command()
def audit(
    json_output: JsonOption = False,
    short: Annotated[int, typer.Option(min=2, help="Epochs of the short run.")] = 8,
    long: Annotated[int, typer.Option(min=2, help="Epochs of the long run.")] = 90,
    vehicles: Annotated[int, typer.Option(min=1, help="Cars of both fleets.")] = 6,
) -> None:
    """`audit --from LAST` on the last epoch of a short and a long run: the ratio stays ~1."""
    from milestone.bench.audit import run_audit_bench

    result = run_audit_bench(short=short, long=long, vehicles=vehicles)
    if json_output:
        typer.echo(json.dumps(result, indent=2))
        return
    for label in ("short", "long"):
        run = result[label]
        typer.echo(
            f"{label}: audit --from {run['epochs'] - 1} of a {run['epochs']}-epoch run "
            f"({run['owners']} owners): {run['from_last_seconds'] * 1000:.1f} ms "
            f"({run['from_last_cpu_seconds'] * 1000:.1f} ms CPU)"
        )
    whole = result["long"]
    typer.echo(
        f"long / short: {result['ratio']:.2f}×, in CPU time {result['cpu_ratio']:.2f}× "
        f"(the whole {whole['epochs']}-epoch history from genesis: "
        f"{whole['from_genesis_seconds']:.2f} s)"
    )


@app.command()
def scale(
    json_output: JsonOption = False,
    owners: Annotated[
        int, typer.Option("--owners", min=10, help="Owners (one car each) of the fleet.")
    ] = 100_000,
    database_url: Annotated[
        str,
        typer.Option(
            "--database-url",
            help="Database to build in \\[default: a scratch SQLite file; "
            "MILESTONE_DATABASE_URL is not read: a benchmark never touches the configured "
            "database].",
        ),
    ] = "",
    keep: Annotated[
        Path | None, typer.Option("--keep", help="Build here and keep it (default: scratch).")
    ] = None,
) -> None:
    """One epoch of an N-owner fleet through `milestone settle`, then its first proof."""
    from milestone.bench.scale import run_scale_bench

    figures = run_scale_bench(owners, database_url=database_url, keep=keep).to_json()
    if json_output:
        typer.echo(json.dumps(figures, indent=2))
        return
    table = Table(title=f"one epoch of {owners:,} owners through the real settlement path")
    table.add_column("figure")
    table.add_column("value", justify="right")
    for name, value in figures.items():
        table.add_row(name, f"{value:,}" if isinstance(value, int) else str(value))
    Console(width=max(Console().width, 110)).print(table)


@app.command()
def api(
    json_output: JsonOption = False,
    seconds: Annotated[float, typer.Option(min=1, help="Seconds of load per measure.")] = 30.0,
    owners: Annotated[int, typer.Option(min=10, help="Owners (and cars) of the program.")] = 2_000,
    workers: Annotated[int, typer.Option(min=1, help="Workers of milestone serve.")] = 2,
    connections: Annotated[int, typer.Option(min=1, help="Connections asking for proofs.")] = 8,
    upload_connections: Annotated[
        int, typer.Option(min=1, help="Connections uploading telemetry.")
    ] = 4,
    batch: Annotated[int, typer.Option(min=1, max=1_000, help="Reports per upload.")] = 100,
    keep: Annotated[
        Path | None, typer.Option(help="Build in (and keep) this data directory.")
    ] = None,
) -> None:
    """"My balance with proof" and telemetry upload against milestone serve, on loopback."""
    from milestone.bench.api import TARGET_PROOF_P99_MS, TARGET_PROOF_RPS, run_api_bench

    result = run_api_bench(
        seconds=seconds, owners=owners, workers=workers, connections=connections,
        upload_connections=upload_connections, batch=batch, keep=keep,
    )
    if json_output:
        typer.echo(json.dumps(result, indent=2))
        return
    title = f"milestone serve, {workers} workers, {owners:,} owners, {seconds:g} s each"
    table = Table(title=title)
    table.add_column("measure")
    table.add_column("value", justify="right")
    table.add_row("proofs per second", f"{result['proof_rps']:,.0f}")
    table.add_row("proof p50 / p99", f"{result['proof_p50_ms']} ms / {result['proof_p99_ms']} ms")
    table.add_row(
        "target", f"{TARGET_PROOF_RPS:,}/s, p99 < {TARGET_PROOF_P99_MS:g} ms: "
        + ("met" if result["meets_target"] else "NOT met"),
    )
    uncached = f"{result['proof_uncached_rps']:,.0f}/s, p99 {result['proof_uncached_p99_ms']} ms"
    table.add_row("proofs, every one computed", uncached)
    table.add_row("uploaded reports per second", f"{result['upload_reports_per_s']:,.0f}")
    upload_latency = f"{result['upload_p50_ms']} ms / {result['upload_p99_ms']} ms"
    table.add_row("upload p50 / p99", upload_latency)
    in_process = result["intake_in_process_reports_per_s"]
    table.add_row("intake in-process reports/s", f"{in_process:,.0f}")
    table.add_row("upload / in-process", f"{result['upload_over_in_process']}")
    table.add_row("errors (proof, upload)", f"{result['proof_errors']}, {result['upload_errors']}")
    Console(width=max(Console().width, 100)).print(table)


@app.command("all")
def all_benchmarks(
    output: Annotated[
        Path, typer.Option(help="Where to write the page.")
    ] = Path("docs/benchmarks.md"),
    json_output: JsonOption = False,
) -> None:
    """Every benchmark in one run, with the OpenZeppelin peer; writes docs/benchmarks.md."""
    from milestone.bench.all import run_all
    from milestone.bench.markdown import render_benchmarks

    console = Console(stderr=True)
    figures = run_all(on_start=lambda name: console.print(f"bench {name} ..."))
    output.write_text(render_benchmarks(figures), encoding="utf-8")
    if json_output:
        typer.echo(json.dumps(figures, indent=2))
    else:
        typer.echo(f"wrote {output}")


@app.command()
def webhooks(
    events: Annotated[int, typer.Option(min=1, help="Events emitted into the outbox.")] = 2_000,
    subscriptions: Annotated[int, typer.Option(min=1, max=16, help="Receivers.")] = 1,
    postgres: Annotated[bool, typer.Option(help="On a scratch PostgreSQL database.")] = False,
    record_every: Annotated[
        int, typer.Option(min=1, help="Deliveries recorded per transaction.")
    ] = 1,
    json_output: JsonOption = False,
) -> None:
    """Events delivered per second to loopback receivers, against bare signed POSTs."""
    from milestone.bench.webhooks import run_webhooks_bench

    result = run_webhooks_bench(events, subscriptions, postgres, record_every)
    if json_output:
        typer.echo(json.dumps(result.to_json(), indent=2))
        return
    table = Table(title=f"webhooks: {events:,} events × {subscriptions} subscription(s), "
                        f"{result.backend}, {record_every} per record")
    table.add_column("measure")
    table.add_column("value", justify="right")
    table.add_row("events emitted into the outbox /s", f"{result.emit_events_per_s:,}")
    table.add_row("deliveries", f"{result.delivered:,} ({result.verified:,} verified)")
    table.add_row("delivered /s", f"{result.delivered_per_s:,}")
    table.add_row("floor: signed POSTs /s, no database", f"{result.floor_posts_per_s:,}")
    table.add_row("delivered / floor", f"{result.delivered_over_floor:.3f}")
    Console(width=max(Console().width, 110)).print(table)
