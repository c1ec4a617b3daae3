"""`milestone ledger`: check the journal, read balances and totals."""

from __future__ import annotations

import json
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from milestone.cli.common import (
    DatabaseUrlOption,
    DataDirOption,
    JsonOption,
    grouped_stones,
    open_from_options,
    read_from_options,
    reported_errors,
)
from milestone.ledger import Asset, balance_of, totals, verify_ledger
from milestone.rules.units import format_pebbles

app = typer.Typer(
    help="The journal of every stone: verify it, read balances.", no_args_is_help=True
)


@app.command()
def verify(
    json_output: JsonOption = False,
    data_dir: DataDirOption = None,
    database_url: DatabaseUrlOption = None,
) -> None:
    """Walk the hash chain and re-add every balance; exit 1 naming the first broken entry."""
    with reported_errors():
        database = open_from_options(data_dir, database_url)
        try:
            with database.snapshot() as session:
                report = verify_ledger(session)
        finally:
            database.dispose()
    if json_output:
        typer.echo(json.dumps(report.to_dict(), indent=2))
    elif report.ok:
        typer.echo(
            f"ledger intact: {report.entries} entries, {report.postings} postings, "
            f"head 0x{report.head_hash.hex()}"
        )
    else:
        first = report.first
        assert first is not None
        where = f"entry {first.seq}" if first.seq is not None else "ledger"
        typer.echo(f"ledger BROKEN at {where}: {first.message} [{first.code}]", err=True)
        for problem in report.problems[1:]:
            typer.echo(f"  also: {problem.message} [{problem.code}]", err=True)
    if not report.ok:
        raise typer.Exit(1)


@app.command()
def balance(
    account: Annotated[str, typer.Argument(help="Account, e.g. owner:42 or reserve:mining.")],
    asset: Annotated[Asset, typer.Option(help="Asset.")] = Asset.STONE,
    epoch: Annotated[int | None, typer.Option(help="Balance at the end of this epoch.")] = None,
    data_dir: DataDirOption = None,
    database_url: DatabaseUrlOption = None,
) -> None:
    """The balance of one account, now or at the end of an epoch."""
    amount = read_from_options(
        data_dir, database_url,
        lambda session: balance_of(session, account, asset, at_epoch=epoch),
    )
    shown = format_pebbles(amount) + " stones" if asset is Asset.STONE else f"{amount} fen"
    typer.echo(f"{account}: {shown}")


@app.command("totals")
def show_totals(
    json_output: JsonOption = False,
    data_dir: DataDirOption = None,
    database_url: DatabaseUrlOption = None,
) -> None:
    """Where every issued stone is: reserves, budgets, owners, merchants, treasury, burned."""
    result = read_from_options(data_dir, database_url, totals)
    fields = {name: getattr(result, name) for name in result.__dataclass_fields__}
    if json_output:
        typer.echo(json.dumps({**fields, "reconciles": result.reconciles}, indent=2))
        return
    table = Table("where", "stones", title="Where every issued stone is")
    table.columns[1].justify = "right"
    for name, amount in fields.items():
        table.add_row(name.replace("_", " "), grouped_stones(amount))
    table.add_row("reconciles", "yes" if result.reconciles else "NO")
    Console().print(table)
