"""`milestone attest EPOCH`: an attestor re-verifies an epoch's file and, if it holds, signs.

Like `milestone audit`, no database: the published epoch files and the chain are all it reads.
The signature goes to the operator, who keeps it with `milestone settle attestation`.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer

from milestone.audit.attest import Attestation, attest_epoch
from milestone.chain.keys import account_of, parse_address
from milestone.cli.audit import verdict_line
from milestone.cli.chainread import program_view
from milestone.cli.common import ContractOption, DataDirOption, JsonOption, reported_chain_errors
from milestone.cli.settle import ChainUrlOption
from milestone.settings import load_settings

AttestorKey = Annotated[
    str,
    typer.Option(
        "--attestor-key",
        envvar="MILESTONE_ATTESTOR_KEY",
        help="The attestor's private key, hex \\[env MILESTONE_ATTESTOR_KEY].",
        show_default=False,
        show_envvar=False,
    ),
]


def attest(
    epoch: Annotated[int, typer.Argument(min=0, help="The epoch to re-verify and sign.")],
    attestor_key: AttestorKey,
    epoch_file: Annotated[
        Path | None,
        typer.Option("--epoch-file", help="The epoch's published file.", show_default=False),
    ] = None,
    epochs_dir: Annotated[
        Path | None,
        typer.Option(
            "--epochs-dir",
            help="Directory of the epoch files, the earlier epochs' too "
            "(default: the epoch file's directory, else DATA_DIR/epochs).",
            show_default=False,
        ),
    ] = None,
    contract: ContractOption = None,
    json_output: JsonOption = False,
    data_dir: DataDirOption = None,
    chain_url: ChainUrlOption = None,
) -> None:
    """Audit the epoch against the chain; only if it passes, print the attestor's signature."""
    settings = load_settings(data_dir=data_dir, chain_url=chain_url)
    directory = epochs_dir or (
        epoch_file.parent if epoch_file is not None else Path(settings.data_dir) / "epochs"
    )
    with reported_chain_errors():
        address = None if contract is None else parse_address(contract)
        attestor = account_of(attestor_key, "attestor")
    with (
        reported_chain_errors(),
        program_view(settings.data_dir, settings.chain_url, address) as view,
    ):
        attestation = attest_epoch(view, epoch, attestor, directory, epoch_file)
    if json_output:
        typer.echo(json.dumps(_as_json(attestation)))
    elif attestation.signature is not None:
        signature = "0x" + attestation.signature.hex()
        typer.echo(verdict_line(attestation.verdict))
        typer.echo(f"attestor {attestation.attestor}")
        typer.echo(f"signature {signature}")
        typer.echo(f"the operator keeps it with: milestone settle attestation {epoch} {signature}")
    else:
        typer.echo(verdict_line(attestation.verdict))
        typer.echo(f"epoch {epoch} not signed: the audit failed", err=True)
    if attestation.signature is None:
        raise typer.Exit(1)


def _as_json(attestation: Attestation) -> dict[str, object]:
    return {
        **attestation.verdict.to_dict(),
        "attestor": attestation.attestor,
        "signature": None if attestation.signature is None else "0x" + attestation.signature.hex(),
    }
