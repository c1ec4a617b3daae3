"""`milestone ledger`: check the journal, read balances and totals."""

from __future__ import annotations

import json
from dataclasses import asdict
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table
from sqlalchemy.orm import Session

from milestone.chain.errors import ProgramNotFound
from milestone.cli.chainread import program_view
from milestone.cli.common import (
    ContractOption,
    DatabaseUrlOption,
    DataDirOption,
    JsonOption,
    grouped_stones,
    opened_from_options,
    read_from_options,
    reported_chain_errors,
)
from milestone.cli.settle import ChainUrlOption
from milestone.epochs.block import read_block_head
from milestone.ledger import Asset, balance_of, totals, verify_ledger
from milestone.ledger.anchored import AnchorReport, BlockHead, compare_with_heads
from milestone.program.service import load_program
from milestone.rules.units import format_pebbles
from milestone.settings import load_settings

app = typer.Typer(
    help="The journal of every stone: verify it, read balances.", no_args_is_help=True
)


@app.command()
def verify(
    json_output: JsonOption = False,
    data_dir: DataDirOption = None,
    database_url: DatabaseUrlOption = None,
    chain_url: ChainUrlOption = None,
    contract: ContractOption = None,
) -> None:
    """Walk the hash chain, re-add every balance, and compare the journal with the heads
    committed on-chain (when the data directory has a Program, or `--contract` names one);
    exit 1 naming the first entry that differs."""
    settings = load_settings(data_dir=data_dir, database_url=database_url, chain_url=chain_url)
    with reported_chain_errors():
        heads = _committed_heads(settings.data_dir, settings.chain_url, contract)
        with (
            opened_from_options(data_dir, database_url) as (database, _),
            database.snapshot() as session,
        ):
            report = verify_ledger(session)
            anchored = (
                None if heads is None else compare_with_heads(session, heads, _block_head(session))
            )
    problems = sorted(
        report.problems + (anchored.problems if anchored else []),
        key=lambda p: (p.seq is None, p.seq or 0),
    )
    if json_output:
        typer.echo(json.dumps({
            **report.to_dict(),
            "ok": not problems,
            "first_problem": asdict(problems[0]) if problems else None,
            "chain": None if anchored is None else anchored.to_dict(),
        }, indent=2))  # fmt: skip
    elif not problems:
        typer.echo(
            f"ledger intact: {report.entries} entries, {report.postings} postings, "
            f"head 0x{report.head_hash.hex()}"
        )
        typer.echo(_chain_line(anchored))
    else:
        first = problems[0]
        where = f"entry {first.seq}" if first.seq is not None else "ledger"
        typer.echo(f"ledger BROKEN at {where}: {first.message} [{first.code}]", err=True)
        for problem in problems[1:]:
            typer.echo(f"  also: {problem.message} [{problem.code}]", err=True)
    if problems:
        raise typer.Exit(1)


def _block_head(session: Session) -> BlockHead:
    """Rebuilds an epoch's public block head (epoch file version 3) under the program's rules."""
    params = load_program(session).parameters

    def block_head(session: Session, epoch: int, previous: bytes) -> tuple[bytes, int]:
        return read_block_head(session, epoch, previous, params)

    return block_head


def _committed_heads(
    data_dir: Path, chain_url: str | None, contract: str | None
) -> list[bytes] | None:
    """The journal heads the Program committed, or None when there is no Program to ask."""
    if contract is None and not any((data_dir / "chain").glob("program-*.json")):
        return None
    try:
        with program_view(data_dir, chain_url, contract) as view:
            return view.journal_heads()
    except ProgramNotFound:
        if contract is not None:
            raise
        return None  # recorded for another chain than the configured one


def _chain_line(anchored: AnchorReport | None) -> str:
    if anchored is None:
        return "not compared with the chain: no Program recorded for it in the data directory"
    if anchored.epochs == 0:
        return "the chain has finalized no epoch yet: nothing to compare"
    return (
        f"matches the chain: the heads of epochs 0 to {anchored.epochs - 1} are entries of "
        f"this journal (through entry {anchored.anchored_seq})"
    )


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
