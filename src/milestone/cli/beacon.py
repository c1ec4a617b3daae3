"""`milestone beacon step`: an independent beacon member's one-shot run, meant for cron.

The member reaches the node itself (`--chain-url`; the embedded chain has no URL), signs with
its own key and derives its reveals from its own sealed secret in its own data directory
(`keys/beacon-secret.sealed`, opened with `MILESTONE_BEACON_KEY` or `keys/beacon.key`).
"""

from __future__ import annotations

import json
from typing import Annotated

import typer

from milestone.chain.anchor import Anchor
from milestone.chain.backends import connect
from milestone.chain.keys import account_of, parse_address
from milestone.cli.common import (
    DataDirOption,
    JsonOption,
    reported_chain_errors,
    require_data_directory,
)
from milestone.epochs.beacon_secret import load_beacon_secret
from milestone.epochs.member import member_step
from milestone.settings import load_settings

app = typer.Typer(help="Take part in the beacon as an independent member.", no_args_is_help=True)

RemoteChainUrl = Annotated[
    str,
    typer.Option(
        "--chain-url",
        envvar="MILESTONE_CHAIN_URL",
        help="JSON-RPC URL of the node the Program lives on \\[env MILESTONE_CHAIN_URL].",
        show_default=False,
        show_envvar=False,
    ),
]
ContractOption = Annotated[
    str, typer.Option("--contract", help="The Program's address.", show_default=False)
]
MemberKey = Annotated[
    str,
    typer.Option(
        "--member-key",
        envvar="MILESTONE_MEMBER_KEY",
        help="The member's private key, hex \\[env MILESTONE_MEMBER_KEY].",
        show_default=False,
        show_envvar=False,
    ),
]


@app.command()
def step(
    chain_url: RemoteChainUrl,
    contract: ContractOption,
    member_key: MemberKey,
    data_dir: DataDirOption = None,
    json_output: JsonOption = False,
) -> None:
    """Commit to the coming epochs and reveal where the weights are posted; idempotent."""
    with reported_chain_errors():
        settings = load_settings(data_dir=data_dir)
        require_data_directory(settings.data_dir)
        member = account_of(member_key, "member")
        secret = load_beacon_secret(settings.data_dir, settings.beacon_key)
        with connect(settings.data_dir, chain_url) as connection:
            anchor = Anchor.attach(connection, parse_address(contract), member)
            actions = member_step(anchor, member, secret)
            next_epoch = anchor.program.next_epoch()
    if json_output:
        document = {
            "member": member.address,
            "contract": anchor.address,
            "next_epoch": next_epoch,
            "actions": [
                {"action": a.action, "epoch": a.epoch, "transaction": a.transaction_hash}
                for a in actions
            ],
        }
        typer.echo(json.dumps(document))
        return
    for action in actions:
        verb = "committed" if action.action == "commit" else "revealed"
        typer.echo(f"epoch {action.epoch}: {verb} (transaction {action.transaction_hash})")
    if not actions:
        typer.echo(f"nothing to do: {member.address} is up to date (next epoch {next_epoch})")
