"""`milestone demo`: a simulated fleet on a fresh program, settled on-chain, audited, reported."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Any, Final

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table
from sqlalchemy.orm import Session

from milestone.audit.run import run_audit
from milestone.cli.chainread import program_view
from milestone.cli.common import (
    DatabaseUrlOption,
    DataDirOption,
    JsonOption,
    existing_program,
    opened_from_options,
    reported_errors,
)
from milestone.rules.params import get_preset
from milestone.rules.units import format_pebbles
from milestone.settings import load_settings
from milestone.sim.actions import DEMO_PASSWORD
from milestone.sim.config import SimConfig
from milestone.sim.demo import DATA_IN_USE, DemoDataInUse, run_demo
from milestone.sim.report import write_report
from milestone.sim.summary import DemoSummary, summarize
from milestone.storage import Database
from milestone.store.merchants import list_merchants, rotate_merchant_key

DEFAULTS: Final[dict[str, tuple[int, int]]] = {
    # preset: (vehicles, days); minimal's eras are 4 epochs, so 16 days show four halvings
    "im-csop": (40, 28),  # four whole weeks: the per-kilometre rate compared week by week
    "minimal": (20, 16),
}
REPORT_FILE: Final[str] = "demo-report.html"
MERCHANT_KEY_FILE: Final[str] = "merchant-desk.key"
"""The demo merchant's API key, the merchant desk's log-in (readable by its owner only)."""


def demo(
    preset: Annotated[str, typer.Option(help="Parameter preset: im-csop or minimal.")] = "im-csop",
    vehicles: Annotated[
        int | None, typer.Option(min=1, max=5_000, help="Cars at the start (preset default).")
    ] = None,
    days: Annotated[
        int | None, typer.Option(min=1, max=400, help="Days to simulate (preset default).")
    ] = None,
    seed: Annotated[int, typer.Option(help="Seed: the same seed gives the same traffic.")] = 7,
    data_dir: DataDirOption = None,
    database_url: DatabaseUrlOption = None,
    chain_url: Annotated[
        str | None,
        typer.Option("--chain-url", help="EVM JSON-RPC URL \\[env MILESTONE_CHAIN_URL; default "
                     "the embedded chain]."),
    ] = None,
    no_settle: Annotated[
        bool, typer.Option("--no-settle", help="Stop after the traffic; `milestone settle` later.")
    ] = False,
    json_output: JsonOption = False,
) -> None:
    """Simulate a fleet, settle every epoch on-chain, declare a dividend, audit, report."""
    console = Console(stderr=True, quiet=json_output)
    with reported_errors():
        get_preset(preset)
        default_vehicles, default_days = DEFAULTS.get(preset, (40, 28))
        config = SimConfig(preset=preset, vehicles=vehicles or default_vehicles,
                           days=days or default_days, seed=seed)
        settings = load_settings(data_dir=data_dir, database_url=database_url, chain_url=chain_url)
        if existing_program(settings.database_url) is not None:  # before any progress bar
            raise DemoDataInUse(DATA_IN_USE)
        with Progress(
            TextColumn("{task.description:<34}"), BarColumn(), MofNCompleteColumn(),
            TimeElapsedColumn(), console=console, transient=False, disable=json_output,
        ) as progress:
            driving = progress.add_task("simulating days", total=config.days)
            settling = progress.add_task("settling epochs on-chain",
                                         total=0 if no_settle else config.days)

            def on_step(epoch: int, step: str, phase: str) -> None:
                progress.update(settling, description=f"settling epoch {epoch}: {step}")
                if step == "finalize" and phase == "done":
                    progress.advance(settling)

            run = run_demo(settings, config, settle_epochs=not no_settle,
                           on_day=lambda _: progress.advance(driving), on_step=on_step)
            audit_passed, audit_epochs = None, 0
            if not no_settle:
                auditing = progress.add_task("auditing epoch files", total=len(run.settled))
                with program_view(settings.data_dir, settings.chain_url) as view:
                    audit = run_audit(settings.data_dir / "epochs", view,
                                      bytes.fromhex(view.address[2:]),
                                      on_verdict=lambda _: progress.advance(auditing))
                audit_passed, audit_epochs = audit.ok, len(audit.verdicts)
        with opened_from_options(data_dir, database_url) as (database, _):
            with database.session() as session:
                summary = summarize(session, run.stats, config.days, audit_passed, audit_epochs)
            if run.consortium is not None:
                summary.parties = run.consortium.roles()
            merchant_key = _merchant_login(database, settings.data_dir / MERCHANT_KEY_FILE)
        report = write_report(summary, settings.data_dir / REPORT_FILE)
    if json_output:
        typer.echo(json.dumps(summary.to_json(), indent=2))
    else:
        _print(console, summary, report, settings.data_dir, settle=not no_settle,
               merchant_key=merchant_key)
    if audit_passed is False:
        raise typer.Exit(1)


def _merchant_login(database: Database, path: Path) -> Path | None:
    """A fresh API key for the demo's shop, written to `path`: the merchant desk's log-in.

    The simulation registers the shop but keeps no key (it acts through the services), so the
    demo issues one at the end, as the operator would when handing the desk to a merchant.
    """
    def work(session: Session) -> str | None:
        shops = list_merchants(session)
        return rotate_merchant_key(session, shops[0].id) if shops else None

    key = database.run(work)
    if key is None:
        return None
    path.write_text(key + "\n")
    path.chmod(0o600)
    return path


def _print(
    console: Console, s: DemoSummary, report: Path, data_dir: Path, settle: bool,
    merchant_key: Path | None = None,
) -> None:
    out = Console()
    table = Table(title=f"Milestone demo: {s.preset}, {s.days} days, {s.owners} owners, "
                  f"{s.vehicles} cars", show_header=False)
    verdict = ("[green]PASS[/]" if s.audit_passed else "not run" if s.audit_passed is None
               else "[red]FAIL[/]")
    rows = [
        ("audit", f"{verdict} ({s.audit_epochs} epochs)"),
        ("released / schedule", f"{_stones(s.released_pebbles)} / "
         f"{_stones(s.schedule_pebbles)} stones"),
        ("mined / mining schedule", f"{_stones(s.mined_pebbles)} / "
         f"{_stones(s.mining_schedule_pebbles)} stones"),
        ("drops", f"{s.drops:,}"),
        ("stones per 100 km, week by week", _weeks(s.stones_per_100km_by_week)),
        ("stones per 100 km, first-day owners", _ratio(s.early_owner_stones_per_100km)),
        ("stones per 100 km, later owners", _ratio(s.later_owner_stones_per_100km)),
        ("trips accepted / reports", f"{s.accepted_trips:,} / {s.uploads:,}"),
        ("rejections by code", ", ".join(f"{c} {n}" for c, n in s.rejections_by_code.items())),
        ("check-ins, referrals paid", f"{s.checkins:,}, {s.referrals_paid}"),
        ("campaign participations", f"{s.campaign_participations}"),
        ("orders fulfilled, burned", f"{s.orders_fulfilled}, {_stones(s.burned_pebbles)} stones"),
        ("dividend declared", f"{s.dividend_fen / 100:,.2f} CNY: holders "
         f"{s.dividend_holders_fen / 100:,.2f}, issuer {s.dividend_issuer_fen / 100:,.2f}"),
        *_fairness_rows(s),
        ("supply conserved, ledger intact", f"{s.conserved}, {s.ledger_intact}"),
        *_party_rows(s.parties),
        ("refused requests", ", ".join(f"{c} {n}" for c, n in s.refusals_by_code.items()) or "-"),
    ]
    for name, value in rows:
        table.add_row(name, value)
    out.print(table)
    out.print(f"report: {report}")
    if settle:
        out.print(f"see it: milestone serve --data-dir {data_dir}  (log in as operator, auditor "
                  f"or owner1..owner3, password {DEMO_PASSWORD!r})")
    else:
        out.print(f"epochs left for: milestone settle --data-dir {data_dir}")
    if merchant_key is not None:
        out.print(f"merchant desk: log in at /#/login?merchant=1 with the API key in "
                  f"{merchant_key}")


def _party_rows(parties: dict[str, Any]) -> list[tuple[str, str]]:
    """Who the beacon members and attestors are: each its own key and data directory."""
    if not parties:
        return []
    def named(role: str) -> str:
        return ", ".join(f"{name} {address}" for name, address in parties[role].items())
    return [
        ("beacon members", named("beacon_members")),
        (f"attestors (threshold {parties['threshold']})", named("attestors")),
    ]


def _fairness_rows(s: DemoSummary) -> list[tuple[str, str]]:
    f = s.fairness
    if f is None:
        return []
    return [
        ("epoch 0 paid / budget", f"{_stones(f.first_epoch_paid_pebbles)} / "
         f"{_stones(f.first_epoch_budget_pebbles)} stones"),
        ("backlog after the last epoch", f"{_stones(f.backlog_pebbles)} stones"),
        ("round rate spread", f"{f.round_rate_spread:.2g} over {f.driven_rounds:,} driven rounds "
         f"({f.lone_driver_rounds:,} with one driver)"),
        ("stones per 100 weighted km: early / later", f"{_ratio(f.early_rate)} / "
         f"{_ratio(f.later_rate)}"),
        ("stones per 100 weighted km: night / day", f"{_ratio(f.night_rate)} / "
         f"{_ratio(f.day_rate)}"),
        ("night pay / same day's rate: now, legacy", f"{_ratio(f.night_to_day, 3)}, "
         f"{_ratio(f.legacy_night_to_day, 3)}"),
    ]


def _ratio(value: float | None, digits: int = 1) -> str:
    return "-" if value is None else f"{value:,.{digits}f}"


def _weeks(rates: list[float | None]) -> str:
    return " → ".join(_ratio(rate) for rate in rates) or "- (less than a week settled)"


def _stones(pebbles: int) -> str:
    """Exact, with thousands grouped for reading: 2,770,148.99619105."""
    whole, _, fraction = format_pebbles(pebbles).partition(".")
    return f"{int(whole):,}.{fraction}"
