"""The `milestone` command: one Typer sub-module per concern, registered here."""

from __future__ import annotations

import typer

from milestone.cli import (
    attest,
    audit,
    beacon,
    bench,
    campaigns,
    chain,
    consent,
    demo,
    dividends,
    export,
    init,
    ledger,
    merchants,
    prune,
    sales,
    schedule,
    serve,
    settle,
    telemetry,
    users,
    vehicles,
    webhooks,
)

app = typer.Typer(
    name="milestone",
    help="Run a Customer Share Option Plan: stones mined by driving, verified on-chain.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
)


@app.callback()
def main() -> None:
    """Milestone: a fixed-supply loyalty token mined by driving, verifiable on an EVM chain."""


app.command("init")(init.init)
app.command("schedule")(schedule.schedule)
app.add_typer(settle.app, name="settle")
app.command("audit")(audit.audit)
app.command("prune")(prune.prune)
app.command("attest")(attest.attest)
app.add_typer(beacon.app, name="beacon")
app.add_typer(ledger.app, name="ledger")
app.add_typer(export.app, name="export")
app.add_typer(vehicles.owners, name="owner")
vehicles.owners.command("certify")(sales.owner_certify)
vehicles.owners.command("revoke")(sales.owner_revoke)
app.add_typer(vehicles.vehicles, name="vehicle")
app.add_typer(consent.app, name="consent")
app.add_typer(telemetry.app, name="telemetry")
app.add_typer(campaigns.app, name="campaign")
app.add_typer(merchants.app, name="merchant")
app.add_typer(dividends.app, name="dividend")
app.add_typer(sales.app, name="sales")
app.add_typer(bench.app, name="bench")
app.add_typer(chain.app, name="chain")
app.command("serve")(serve.serve)
app.command("demo")(demo.demo)
app.add_typer(users.users_app, name="user")
app.add_typer(webhooks.app, name="webhooks")
