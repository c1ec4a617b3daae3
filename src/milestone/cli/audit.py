"""`milestone audit`: recompute every epoch from its file and check it against the chain.

No database: the epoch files (from the data directory or anywhere they were downloaded to)
and the chain are all it reads.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

from milestone.audit.checks import Verdict
from milestone.audit.run import run_audit
from milestone.cli.chainread import program_view
from milestone.cli.common import ContractOption, DataDirOption, JsonOption, reported_errors
from milestone.cli.settle import ChainUrlOption
from milestone.settings import load_settings


def audit(
    epochs_dir: Annotated[
        Path | None,
        typer.Option("--epochs-dir", help="Directory of epoch files (default: DATA_DIR/epochs)."),
    ] = None,
    contract: ContractOption = None,
    json_output: JsonOption = False,
    data_dir: DataDirOption = None,
    chain_url: ChainUrlOption = None,
    start: Annotated[
        int,
        typer.Option(
            "--from",
            min=0,
            help="Verify epochs from this one on, trusting only what the chain committed for "
            "the one before (its file must be there and be the committed one).",
        ),
    ] = 0,
) -> None:
    """Rebuild every tree, re-derive seeds, re-run drops, check every journal entry against its
    rule, carry every balance; every failure of every epoch."""
    settings = load_settings(data_dir=data_dir, chain_url=chain_url)
    directory = epochs_dir or Path(settings.data_dir) / "epochs"
    console = Console(stderr=True)
    progress = Progress(
        TextColumn("auditing"), BarColumn(), MofNCompleteColumn(),
        console=console, transient=True, disable=json_output,
    )  # fmt: skip
    task = progress.add_task("audit", total=None)

    def on_verdict(verdict: Verdict) -> None:
        progress.advance(task)
        if not json_output:
            progress.console.print(verdict_line(verdict), highlight=False)

    with (
        reported_errors(),
        program_view(settings.data_dir, settings.chain_url, contract) as view,
        progress,
    ):
        report = run_audit(
            directory,
            view,
            bytes.fromhex(view.address[2:]),
            on_verdict=on_verdict,
            on_start=lambda total: progress.update(task, total=total),
            start=start,
        )
    if json_output:
        typer.echo(json.dumps(report.to_dict(), indent=2))
    else:
        passed = len(report.verdicts) - len(report.failed)
        summary = "PASS" if report.ok else "FAIL"
        typer.echo(
            f"{summary}: {passed} of {len(report.verdicts)} epoch(s) pass "
            f"({report.finalized_on_chain} finalized on-chain)"
            + (
                f"; failed: {', '.join(str(v.epoch) for v in report.failed)}"
                if report.failed
                else ""
            )
        )
    if not report.ok:
        raise typer.Exit(1)


def verdict_line(verdict: Verdict) -> str:
    """One epoch's verdict: a pass line, or a FAIL line per failure."""
    if verdict.ok:
        return f"epoch {verdict.epoch}: pass ({verdict.owners} owners)"
    return "\n".join(
        f"epoch {verdict.epoch}: FAIL {failure.code}: {failure.message}"
        for failure in verdict.failures
    )
