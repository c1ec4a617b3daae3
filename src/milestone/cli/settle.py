"""`milestone settle`: settle every closed epoch, step by step, and finalize it on-chain.

`milestone settle attestation EPOCH SIGNATURE` keeps a signature an independent attestor made
with `milestone attest`, once it is checked; the next `milestone settle` counts it.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

from milestone.cli.common import (
    DatabaseUrlOption,
    DataDirOption,
    JsonOption,
    reported_errors,
    settings_from_options,
)
from milestone.clock import SystemClock
from milestone.dividends.commitments import dividends_commitment
from milestone.epochs.errors import AttestationInvalid
from milestone.epochs.finalize import accept_attestation
from milestone.epochs.settle import (
    SettledEpoch,
    first_unsettled_epoch,
    last_closed_epoch,
)
from milestone.epochs.settle import settle as settle_epochs
from milestone.epochs.setup import open_settlement
from milestone.epochs.steps import STEPS
from milestone.rules.units import format_pebbles

ChainUrlOption = Annotated[
    str | None,
    typer.Option(
        "--chain-url", help="EVM JSON-RPC URL \\[env MILESTONE_CHAIN_URL; default embedded]."
    ),
]

app = typer.Typer(
    help="Settle closed epochs (weights, beacon, drops, postings, epoch file, finalize "
    "on-chain); `settle attestation` keeps an independent attestor's signature.",
    invoke_without_command=True,
)


@app.callback()
def settle(
    context: typer.Context,
    through_epoch: Annotated[
        int | None,
        typer.Option(
            "--through-epoch", min=0, help="Settle up to this epoch (default: all closed)."
        ),
    ] = None,
    wait: Annotated[
        bool, typer.Option("--wait", help="Wait for another settler instead of exiting.")
    ] = False,
    json_output: JsonOption = False,
    data_dir: DataDirOption = None,
    database_url: DatabaseUrlOption = None,
    chain_url: ChainUrlOption = None,
) -> None:
    """Settle closed epochs: weights, beacon, drops, postings, epoch file, finalize on-chain."""
    if context.invoked_subcommand is not None:
        return
    # nothing to settle where there is no database, and nothing to create
    settings = settings_from_options(data_dir, database_url, chain_url=chain_url)
    clock = SystemClock()
    with reported_errors(), open_settlement(settings, clock, dividends=dividends_commitment) as ctx:
        closed = last_closed_epoch(ctx) if through_epoch is None else through_epoch
        with ctx.database.session() as session:
            start = first_unsettled_epoch(session)
        with Progress(
            TextColumn("{task.description}"),
            BarColumn(),
            MofNCompleteColumn(),
            transient=True,
            disable=json_output,
        ) as progress:
            task = progress.add_task("settling", total=None)

            def on_step(epoch: int, step: str, phase: str) -> None:
                progress.update(task, description=f"epoch {epoch}: {step}")
                if phase == "done":
                    progress.advance(task)

            ctx.on_step = on_step
            progress.update(task, total=max(0, closed - start + 1) * len(STEPS))
            settled = settle_epochs(ctx, through_epoch, wait=wait)
    if json_output:
        typer.echo(json.dumps([_as_json(epoch) for epoch in settled], indent=2))
        return
    if not settled:
        typer.echo("nothing to settle: every closed epoch is finalized")
    for epoch in settled:
        typer.echo(
            f"epoch {epoch.epoch} finalized: mined {format_pebbles(epoch.paid)} stones, "
            f"rolled over {format_pebbles(epoch.rollover_out)}, state root "
            f"0x{epoch.state_root.hex()}, file 0x{epoch.file_hash.hex()}"
        )
    typer.echo(f"epoch files in {Path(settings.data_dir) / 'epochs'}")


@app.command("attestation")
def attestation(
    epoch: Annotated[int, typer.Argument(min=0, help="The epoch the signature is over.")],
    signature: Annotated[str, typer.Argument(help="The attestor's signature, 65 bytes in hex.")],
    json_output: JsonOption = False,
    data_dir: DataDirOption = None,
    database_url: DatabaseUrlOption = None,
    chain_url: ChainUrlOption = None,
) -> None:
    """Keep an attestor's signature over an epoch's result, once it checks against the chain."""
    settings = settings_from_options(data_dir, database_url, chain_url=chain_url)
    with (
        reported_errors(),
        open_settlement(settings, SystemClock(), dividends=dividends_commitment) as ctx,
    ):
        attestor = accept_attestation(ctx, epoch, _signature_bytes(signature))
    if json_output:
        typer.echo(json.dumps({"epoch": epoch, "attestor": attestor, "accepted": True}))
        return
    typer.echo(f"epoch {epoch}: kept the attestation of {attestor}; run `milestone settle`")


def _signature_bytes(text: str) -> bytes:
    try:
        return bytes.fromhex(text.removeprefix("0x"))
    except ValueError:
        raise AttestationInvalid("the signature is not hex") from None


def _as_json(epoch: SettledEpoch) -> dict[str, object]:
    return {
        "epoch": epoch.epoch,
        "weights_root": "0x" + epoch.weights_root.hex(),
        "seed": "0x" + epoch.seed.hex(),
        "rewards_root": "0x" + epoch.rewards_root.hex(),
        "state_root": "0x" + epoch.state_root.hex(),
        "epoch_file_hash": "0x" + epoch.file_hash.hex(),
        "mined": str(epoch.paid),
        "rollover": str(epoch.rollover_out),
    }
