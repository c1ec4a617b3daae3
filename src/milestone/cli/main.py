"""The `milestone` command: one Typer sub-module per concern, each loaded when it is used.

The sub-modules import what they need at the top (the chain, the storage, matplotlib for
reports), several seconds of imports altogether; `milestone --help` and `milestone --version`
need none of it. So the commands are listed here by name with their one-line help, and a
command's module is imported only when that command runs or shows its own help.
"""

from __future__ import annotations

from importlib import import_module
from importlib.metadata import version
from typing import Any, NamedTuple

import typer
from typer import _click as click  # Typer's own click: the classes its groups expect
from typer.core import TyperCommand, TyperGroup


class Lazy(NamedTuple):
    """A command of `milestone`: where it lives, and its help line for the listing."""

    module: str
    attribute: str
    help: str


COMMANDS: dict[str, Lazy] = {
    "init": Lazy("init", "init", "Create the program: parameters, genesis, and the whole supply "
                 "in its two reserves."),
    "schedule": Lazy("schedule", "schedule", "Print a reserve's emission schedule: per-epoch "
                     "budget, release and share of each era."),
    "settle": Lazy("settle", "app", "Settle closed epochs (weights, beacon, drops, postings, "
                   "epoch file, finalize on-chain)."),
    "audit": Lazy("audit", "audit", "Rebuild every tree, re-derive seeds, re-run drops, carry "
                  "balances; pass/fail per epoch."),
    "attest": Lazy("attest", "attest", "Audit the epoch against the chain; only if it passes, "
                   "print the attestor's signature."),
    "beacon": Lazy("beacon", "app", "Take part in the beacon as an independent member."),
    "ledger": Lazy("ledger", "app", "Read and verify the journal."),
    "export": Lazy("export", "app", "Write epoch files and proofs for auditors."),
    "owner": Lazy("vehicles", "owners", "Owners: create, list, show, certify, revoke."),
    "vehicle": Lazy("vehicles", "vehicles", "Vehicles: register, keys, transfers."),
    "consent": Lazy("consent", "app", "Grant and revoke data consent; receipts."),
    "telemetry": Lazy("telemetry", "app", "Ingest signed trip reports; rejections and their "
                      "codes."),
    "campaign": Lazy("campaigns", "app", "Operator campaigns: create, codes, participations."),
    "merchant": Lazy("merchants", "app", "Merchants and their catalogues."),
    "dividend": Lazy("dividends", "app", "Declare dividends, export payout files, confirm "
                     "payouts."),
    "sales": Lazy("sales", "app", "Sales systems that confirm delivered cars."),
    "bench": Lazy("bench", "app", "Benchmarks that print ratios measured in one run."),
    "chain": Lazy("chain", "app", "Deploy and inspect the Program contract."),
    "serve": Lazy("serve", "serve", "Serve the API (and the web app, when built)."),
    "demo": Lazy("demo", "demo", "Simulate a fleet, settle every epoch on-chain, declare a "
                 "dividend, audit, report."),
    "user": Lazy("users", "users_app", "API users: operators and auditors."),
    "prune": Lazy("prune", "prune", "Drop raw envelopes and per-trip rows of epochs finalized "
                  "longer ago than the dispute window; report what was freed."),
    "webhooks": Lazy("webhooks", "app", "Webhook subscriptions, their replay, and the dispatcher."),
}


EXTRA_COMMANDS = {
    "owner": [
        ("list", "owners", "owner_list"), ("show", "owners", "owner_show"),
        ("certify", "sales", "owner_certify"), ("revoke", "sales", "owner_revoke"),
    ],
}
"""Commands a group takes from another module (a sales system certifies owners)."""


def load_command(name: str) -> click.Command:
    """The click command of `milestone NAME`, importing its module now."""
    lazy = COMMANDS[name]
    target: Any = getattr(import_module(f"milestone.cli.{lazy.module}"), lazy.attribute)
    for extra, module, attribute in EXTRA_COMMANDS.get(name, []):
        if not any(info.name == extra for info in target.registered_commands):
            target.command(extra)(getattr(import_module(f"milestone.cli.{module}"), attribute))
    command: click.Command
    if isinstance(target, typer.Typer):
        command = typer.main.get_group(target)
    else:
        # Shell completion belongs to `milestone` itself, not to each command's own help.
        single = typer.Typer(add_completion=False)
        single.command(name)(target)
        command = typer.main.get_command(single)
    command.name = name
    return command


class LazyGroup(TyperGroup):
    """A group whose sub-commands are imported on first use; the listing needs none of them."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return list(COMMANDS)

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name not in COMMANDS:
            return None
        if ctx.meta.get(LISTING):
            return TyperCommand(cmd_name, help=COMMANDS[cmd_name].help)  # the help line only
        return load_command(cmd_name)

    def format_help(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        ctx.meta[LISTING] = True
        try:
            super().format_help(ctx, formatter)
        finally:
            ctx.meta.pop(LISTING, None)


LISTING = "milestone.listing"


def _show_version(value: bool) -> None:
    if value:
        typer.echo(f"milestone {version('milestone')}")
        raise typer.Exit()


app = typer.Typer(
    name="milestone",
    cls=LazyGroup,
    help="Run a Customer Share Option Plan: stones mined by driving, verified on-chain.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
)


@app.callback()
def main(
    _version: bool = typer.Option(
        False, "--version", callback=_show_version, is_eager=True,
        help="Print the version and exit.",
    ),
) -> None:
    """Milestone: a fixed-supply loyalty token mined by driving, verifiable on an EVM chain."""
