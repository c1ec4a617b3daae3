"""`milestone dividend`: declare a dividend, export the payout file, confirm it paid."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Any

import typer
from sqlalchemy.orm import Session

from milestone.cli.common import DatabaseUrlOption, DataDirOption, JsonOption, reported_errors
from milestone.cli.operator import InvalidInput, emit, in_snapshot, in_unit_of_work, show_instant
from milestone.clock import SystemClock
from milestone.dividends.commitments import entitlement_proof, entitlement_tree
from milestone.dividends.declare import declare_dividend, list_dividends
from milestone.dividends.models import Dividend
from milestone.dividends.payouts import confirm_payouts, export_payouts
from milestone.rules.units import format_pebbles

app = typer.Typer(help="Dividends of the equity stake, in CNY fen.", no_args_is_help=True)
DividendId = Annotated[int, typer.Argument(help="Dividend id.")]


def describe(dividend: Dividend) -> dict[str, Any]:
    return {
        "id": dividend.id, "amount_fen": dividend.amount_fen, "mode": dividend.mode,
        "holders_fen": dividend.holders_fen, "issuer_fen": dividend.issuer_fen,
        "record_epoch": dividend.record_epoch,
        "payment_date": dividend.payment_date, "note": dividend.note,
        "declared_at": show_instant(dividend.declared_at),
        "circulating": format_pebbles(dividend.circulating), "holders": dividend.holders,
        "root": "0x" + bytes(dividend.root).hex(), "committed_epoch": dividend.committed_epoch,
    }


def one_line(d: dict[str, Any]) -> str:
    committed = (
        f"root committed with epoch {d['committed_epoch']}" if d["committed_epoch"] is not None
        else "root not committed yet"
    )
    return (
        f"dividend {d['id']} ({d['mode']}): {d['amount_fen']} fen, {d['holders_fen']} to "
        f"{d['holders']} holders of {d['circulating']} stones at the end of epoch "
        f"{d['record_epoch']} and {d['issuer_fen']} the issuer's, paid "
        f"{d['payment_date']}; root {d['root']}, {committed}"
    )


@app.command("declare")
def declare(
    amount_fen: Annotated[int, typer.Option(help="The dividend in CNY fen (1 yuan = 100 fen).")],
    record_epoch: Annotated[int, typer.Option(help="Holdings at the end of this finalized epoch.")],
    payment_date: Annotated[str, typer.Option(help="When the rails pay, YYYY-MM-DD.")],
    note: Annotated[
        str, typer.Option(help="What the dividend is (e.g. FY2026 final) \\[default: none].")
    ] = "",
    key: Annotated[
        str | None, typer.Option(help="Declaration key; default: epoch, amount and date.")
    ] = None,
    json_output: JsonOption = False,
    data_dir: DataDirOption = None,
    database_url: DatabaseUrlOption = None,
) -> None:
    """Declare a dividend and post every holder's entitlement."""
    clock = SystemClock()
    declaration_key = key or f"e{record_epoch}-{amount_fen}-{payment_date}"
    with reported_errors():
        shown = in_unit_of_work(
            data_dir, database_url,
            lambda s: describe(declare_dividend(
                s, clock, amount_fen=amount_fen, record_epoch=record_epoch,
                payment_date=payment_date, note=note, key=declaration_key,
            )),
        )
    emit(shown, json_output, one_line(shown))


@app.command("list")
def list_(json_output: JsonOption = False, data_dir: DataDirOption = None,
          database_url: DatabaseUrlOption = None) -> None:
    """Every declared dividend."""
    with reported_errors():
        shown = in_snapshot(data_dir, database_url,
                            lambda s: [describe(d) for d in list_dividends(s)])
    emit(shown, json_output, "\n".join(one_line(d) for d in shown) or "no dividends")


@app.command("export")
def export(
    dividend_id: DividendId,
    output: Annotated[Path | None, typer.Option(help="Write the CSV here; default stdout.")] = None,
    include_paid: Annotated[
        bool, typer.Option("--all", help="Include lines already paid.")
    ] = False,
    tree: Annotated[
        bool, typer.Option("--tree", help="Export the entitlement tree (standard-v1 JSON) instead.")
    ] = False,
    data_dir: DataDirOption = None,
    database_url: DatabaseUrlOption = None,
) -> None:
    """The payout file for the fiat rails (unpaid lines), or the entitlement tree."""
    with reported_errors():

        def work(session: Session) -> str:
            if tree:
                return json.dumps(entitlement_tree(session, dividend_id).dump(), indent=2) + "\n"
            return export_payouts(session, dividend_id, include_paid=include_paid)

        text = in_snapshot(data_dir, database_url, work)
        if output is None:
            typer.echo(text, nl=False)
            return
        try:
            output.write_text(text)
        except OSError as error:
            raise InvalidInput(f"cannot write {output}: {error.strerror}") from None
    typer.echo(f"wrote {output}")


@app.command("confirm")
def confirm(
    dividend_id: DividendId,
    returned: Annotated[Path, typer.Argument(help="The payout file back from the rails.")],
    json_output: JsonOption = False,
    data_dir: DataDirOption = None,
    database_url: DatabaseUrlOption = None,
) -> None:
    """Mark paid what the rails confirm paid (the whole file is checked first)."""
    clock = SystemClock()
    with reported_errors():
        try:
            text = returned.read_text()
        except OSError as error:
            raise InvalidInput(f"cannot read {returned}: {error.strerror}") from None
        result = in_unit_of_work(data_dir, database_url,
                                 lambda s: confirm_payouts(s, clock, dividend_id, text))
    payload = {"paid": result.paid, "paid_fen": result.paid_fen, "failed": result.failed,
               "already_paid": result.already_paid}
    emit(payload, json_output,
         f"{result.paid} lines paid ({result.paid_fen} fen), {result.failed} failed, "
         f"{result.already_paid} were paid before")


@app.command("proof")
def proof(
    dividend_id: DividendId,
    owner: Annotated[int, typer.Option(help="Owner id.")],
    data_dir: DataDirOption = None,
    database_url: DatabaseUrlOption = None,
) -> None:
    """An owner's entitlement and its Merkle proof (JSON)."""
    with reported_errors():
        shown = in_snapshot(data_dir, database_url,
                            lambda s: entitlement_proof(s, dividend_id, owner))
    typer.echo(json.dumps({
        "dividend_id": shown.dividend_id, "owner_id": shown.owner_id,
        "address": "0x" + shown.address.hex(), "amount_fen": shown.amount_fen,
        "root": "0x" + shown.root.hex(), "proof": ["0x" + node.hex() for node in shown.proof],
        "committed_epoch": shown.committed_epoch,
    }, indent=2))
