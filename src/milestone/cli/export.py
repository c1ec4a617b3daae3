"""`milestone export`: an epoch's file or one of its trees, and every epoch's commitments."""

from __future__ import annotations

import json
import sys
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any

import typer
from sqlalchemy.orm import Session

from milestone.cli.chainread import program_view
from milestone.cli.common import (
    ContractOption,
    DatabaseUrlOption,
    DataDirOption,
    JsonOption,
    read_from_options,
    reported_errors,
)
from milestone.cli.settle import ChainUrlOption
from milestone.epochs import epochfile
from milestone.epochs.errors import EpochFileMismatch, EpochNotFinalized
from milestone.epochs.models import FINALIZED, EpochRecord
from milestone.rules.leaves import (
    BALANCE_LEAF,
    REWARD_LEAF,
    build_account_tree,
    build_weights_tree,
)
from milestone.rules.units import format_pebbles
from milestone.settings import load_settings

app = typer.Typer(
    help="Export epoch files, Merkle trees and on-chain commitments.", no_args_is_help=True
)


class Format(StrEnum):
    FILE = "file"
    OZ_DUMP = "oz-dump"


class Tree(StrEnum):
    STATE = "state"
    REWARDS = "rewards"
    WEIGHTS = "weights"


@app.command()
def epoch(
    number: Annotated[int, typer.Argument(min=0, help="The epoch.")],
    format_: Annotated[
        Format, typer.Option("--format", help="file: the epoch file; oz-dump: one tree.")
    ] = Format.FILE,
    tree: Annotated[Tree, typer.Option(help="With --format oz-dump: which tree.")] = Tree.STATE,
    out: Annotated[
        Path | None, typer.Option("--out", help="Where to write (default: current directory).")
    ] = None,
    data_dir: DataDirOption = None,
    database_url: DatabaseUrlOption = None,
) -> None:
    """Write a finalized epoch's file, or one of its trees in OpenZeppelin's standard-v1 dump."""
    settings = load_settings(data_dir=data_dir, database_url=database_url)
    with reported_errors():
        path = Path(settings.data_dir) / "epochs" / epochfile.file_name(number)
        expected = _finalized_hash(data_dir, database_url, number)
        record, canonical = epochfile.read(path)
        if epochfile.file_hash(canonical) != expected:
            raise EpochFileMismatch(f"{path} is not the file epoch {number} was finalized with")
        if format_ is Format.FILE:
            target = output_path(out, epochfile.file_name(number))
            epochfile.write(target, epochfile.compress(canonical))
            typer.echo(f"wrote {target} (epoch file hash 0x{expected.hex()})")
            return
        dump = _dump(record, tree)
        text = json.dumps(dump, indent=2)
        if out is None:
            sys.stdout.write(text + "\n")
        else:
            target = output_path(out, f"epoch-{number}-{tree.value}-tree.json")
            target.write_text(text + "\n")
            typer.echo(f"wrote {target} ({tree.value} tree, root {dump['tree'][0]})", err=True)


def output_path(out: Path | None, name: str) -> Path:
    """Where `--out` says to write `name`: into it when it is a directory, else the file it
    names; the current directory without it."""
    if out is None:
        return Path(name)
    return out / name if out.is_dir() else out


def _finalized_hash(data_dir: Path | None, database_url: str | None, number: int) -> bytes:
    def read(session: Session) -> bytes:
        row = session.get(EpochRecord, number)
        if row is None or row.status != FINALIZED or row.file_hash is None:
            raise EpochNotFinalized(f"epoch {number} is not finalized", epoch=number)
        return bytes(row.file_hash)

    return read_from_options(data_dir, database_url, read)


def _dump(record: epochfile.EpochFile, tree: Tree) -> dict[str, Any]:
    if tree is Tree.WEIGHTS:
        built = build_weights_tree(record.weights)
    elif tree is Tree.REWARDS:
        built = build_account_tree(record.rewards, REWARD_LEAF)
    else:
        built = build_account_tree(record.balances, BALANCE_LEAF)
    if built is None:
        raise EpochNotFinalized(f"epoch {record.epoch}'s {tree.value} tree has no leaves")
    return built.dump()


@app.command()
def roots(
    json_output: JsonOption = False,
    contract: ContractOption = None,
    data_dir: DataDirOption = None,
    chain_url: ChainUrlOption = None,
) -> None:
    """Every finalized epoch's on-chain commitments, read from the chain itself."""
    settings = load_settings(data_dir=data_dir, chain_url=chain_url)
    with reported_errors(), program_view(settings.data_dir, settings.chain_url, contract) as view:
        rows: list[dict[str, str | int]] = []
        for number in range(view.next_epoch()):
            committed = view.commitment(number)
            weights = view.weights(number)
            seed = view.seed(number)
            assert committed is not None and weights is not None and seed is not None
            rows.append({
                "epoch": number,
                "weights_root": "0x" + weights[0].hex(),
                "total_weight": str(weights[1]),
                "seed": "0x" + seed.hex(),
                "state_root": "0x" + committed.state_root.hex(),
                "rewards_root": "0x" + committed.rewards_root.hex(),
                "journal_head": "0x" + committed.journal_head.hex(),
                "epoch_file_hash": "0x" + committed.epoch_file_hash.hex(),
                "dividends_root": "0x" + committed.dividends_root.hex(),
                "cum_mined": str(committed.cum_mined),
                "cum_activity": str(committed.cum_activity),
                "cum_burned": str(committed.cum_burned),
                "cum_dividends_fen": str(committed.cum_dividends_fen),
            })  # fmt: skip
        contract_address = view.address
    if json_output:
        typer.echo(json.dumps({"contract": contract_address, "epochs": rows}, indent=2))
        return
    typer.echo(f"Program {contract_address}: {len(rows)} finalized epoch(s)")
    for row in rows:
        typer.echo(
            f"epoch {row['epoch']}: state {row['state_root']} rewards {row['rewards_root']} "
            f"mined {format_pebbles(int(str(row['cum_mined'])))}"
        )
