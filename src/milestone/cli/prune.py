"""`milestone prune`: remove the per-trip rows of epochs past the dispute window."""

from __future__ import annotations

import json
from typing import Annotated

import typer

from milestone.cli.common import (
    DatabaseUrlOption,
    DataDirOption,
    JsonOption,
    opened_from_options,
    reported_errors,
)
from milestone.clock import SystemClock
from milestone.epochs.retention import prune as prune_epochs


def prune(
    dispute_window_seconds: Annotated[
        int | None,
        typer.Option(
            "--dispute-window-seconds",
            min=0,
            help="Keep epochs finalized less than this long ago "
            "\\[env MILESTONE_DISPUTE_WINDOW_SECONDS; default 30 days].",
        ),
    ] = None,
    wait: Annotated[
        bool, typer.Option("--wait", help="Wait for a settler instead of exiting.")
    ] = False,
    json_output: JsonOption = False,
    data_dir: DataDirOption = None,
    database_url: DatabaseUrlOption = None,
) -> None:
    """Remove trips, envelopes, rejections and weights of epochs past the dispute window.

    The journal, the epoch files and every owner's drops, rewards and balances stay; settlement
    prunes on its own after each run, so this is for catching up or a shorter window.
    """
    with (
        opened_from_options(
            data_dir, database_url, dispute_window_seconds=dispute_window_seconds
        ) as (database, settings),
        reported_errors(),
    ):
        report = prune_epochs(database, SystemClock(), settings, wait=wait)
    if json_output:
        typer.echo(json.dumps(report.to_dict(), indent=2))
        return
    if not report.epochs:
        typer.echo("nothing to prune: no epoch is past the dispute window")
        return
    first, last = report.epochs[0], report.epochs[-1]
    typer.echo(
        f"pruned epochs {first}..{last}: {report.rows_freed:,} rows, "
        f"{report.bytes_freed:,} bytes freed; {report.retained_bytes:,} bytes kept"
    )
    for table, rows in report.rows.items():
        typer.echo(f"  {table}: {rows:,} rows")
