"""`milestone telemetry`: feed signed reports in, explain refusals, list rejections."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from milestone.cli.common import (
    DatabaseUrlOption,
    DataDirOption,
    JsonOption,
    opened_from_options,
    read_from_options,
    reported_errors,
)
from milestone.clock import SystemClock
from milestone.telemetry.intake import explain_reports, ingest
from milestone.telemetry.queries import list_rejections, rejection_counts

app = typer.Typer(help="Signed trip reports: intake and rejections.", no_args_is_help=True)

ReportsArgument = Annotated[
    Path, typer.Argument(help="File of envelopes, one hex string per line ('-' for stdin).")
]


def read_envelopes(source: Path) -> list[object]:
    """One item per non-empty line; a line that is not hex stays text and gets its verdict."""
    text = sys.stdin.read() if str(source) == "-" else source.read_text()
    items: list[object] = []
    for line in text.splitlines():
        line = line.strip().removeprefix("0x")
        if not line:
            continue
        try:
            items.append(bytes.fromhex(line))
        except ValueError:
            items.append(line)
    return items


@app.command("ingest")
def ingest_command(
    reports: ReportsArgument,
    json_output: JsonOption = False,
    data_dir: DataDirOption = None,
    database_url: DatabaseUrlOption = None,
) -> None:
    """Verify and store a batch in one transaction; one verdict per line."""
    with reported_errors():
        items = read_envelopes(reports)
    with opened_from_options(data_dir, database_url) as (database, settings), reported_errors():
        verdicts = ingest(
            database, SystemClock(), items, grace_seconds=settings.settle_grace_seconds
        )
    rows = [
        {"line": v.position + 1, "code": v.code, "detail": v.detail, "replayed": v.replayed,
         "vehicle_id": v.vehicle_id, "sequence": v.sequence,
         "report_hash": "0x" + v.report_hash.hex() if v.report_hash else None}
        for v in verdicts
    ]
    if json_output:
        typer.echo(json.dumps(rows, indent=2))
        return
    for row in rows:
        again = " (again)" if row["replayed"] else ""
        typer.echo(f"{row['line']}: {row['code']}{again} {row['detail']}".rstrip())
    accepted = sum(v.accepted for v in verdicts)
    typer.echo(f"{accepted} accepted, {len(verdicts) - accepted} rejected")


@app.command()
def explain(
    reports: ReportsArgument,
    data_dir: DataDirOption = None,
    database_url: DatabaseUrlOption = None,
) -> None:
    """Every check each report fails against the current state, without storing anything."""
    with reported_errors():
        items = read_envelopes(reports)
    with (
        opened_from_options(data_dir, database_url) as (database, settings),
        reported_errors(),
        database.session() as session,
    ):
        explanations = explain_reports(
            session, SystemClock(), items, grace_seconds=settings.settle_grace_seconds
        )
    for line, codes in enumerate(explanations, start=1):
        typer.echo(f"{line}: {', '.join(codes) if codes else 'would be accepted'}")


@app.command()
def rejections(
    vehicle: Annotated[int | None, typer.Option(help="Only this vehicle.")] = None,
    code: Annotated[str | None, typer.Option(help="Only this rejection code.")] = None,
    limit: Annotated[int, typer.Option(min=1, max=1_000, help="How many, newest first.")] = 50,
    json_output: JsonOption = False,
    data_dir: DataDirOption = None,
    database_url: DatabaseUrlOption = None,
) -> None:
    """The latest rejections and the count per code."""
    latest, counts = read_from_options(data_dir, database_url, lambda session: (
        list_rejections(session, vehicle_id=vehicle, code=code, limit=limit),
        rejection_counts(session),
    ))
    rows = [
        {"id": r.id, "received_at": r.received_at, "code": r.code, "detail": r.detail,
         "vehicle_id": r.vehicle_id, "sequence": r.sequence,
         "report_hash": "0x" + r.report_hash.hex(), "evidence_kept": r.has_envelope}
        for r in latest
    ]
    if json_output:
        typer.echo(json.dumps({"counts": counts, "latest": rows}, indent=2))
        return
    for name, count in sorted(counts.items(), key=lambda item: -item[1]):
        typer.echo(f"{count:>8}  {name}")
    for row in rows:
        typer.echo(f"{row['received_at']}  {row['code']:24} vehicle {row['vehicle_id']} "
                   f"seq {row['sequence']}  {row['detail']}")


@app.command("codes")
def codes_command(json_output: JsonOption = False) -> None:
    """Explain every rejection code of the intake: the check, what it means, what to do."""
    from milestone.telemetry.codes import REJECTION_CODES

    if json_output:
        typer.echo(json.dumps([entry._asdict() for entry in REJECTION_CODES], indent=2))
        return
    table = Table("code", "check", "meaning", "what to do", title="Telemetry rejection codes")
    for entry in REJECTION_CODES:
        table.add_row(entry.code, str(entry.check), entry.meaning, entry.remedy)
    Console().print(table)
