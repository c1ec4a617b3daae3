"""The demo's HTML report: the summary's figures and four charts, in one self-contained file.

Charts are matplotlib PNGs embedded as data URIs, so the report opens anywhere, offline.
Floats appear only here, for drawing; every figure printed as an amount is integer pebbles.
"""

from __future__ import annotations

import base64
import html
import io
from pathlib import Path
from typing import TYPE_CHECKING, Any

from milestone.rules.units import PEBBLES_PER_STONE, format_pebbles
from milestone.sim.summary import DemoSummary

if TYPE_CHECKING:
    from matplotlib.figure import Figure


def _pyplot() -> Any:
    """matplotlib, loaded when a chart is drawn: seconds of import nobody else should pay."""
    import matplotlib

    matplotlib.use("Agg")  # no display on a server; set before pyplot loads a backend
    import matplotlib.pyplot as plt

    return plt


def write_report(summary: DemoSummary, path: Path) -> Path:
    """Write the report to `path` and return it."""
    charts = [
        ("Mining emission against the schedule", _emission(summary)),
        ("Stones per 100 km as the fleet grows", _per_100km(summary)),
        ("Distribution of holdings", _holdings(summary)),
        ("Rejected reports by code", _rejections(summary)),
    ]
    rows = [
        ("audit", "PASS" if summary.audit_passed else
         "not run" if summary.audit_passed is None else "FAIL"),
        ("epochs settled", str(summary.epochs_settled)),
        ("released (mining + activity)", f"{format_pebbles(summary.released_pebbles)} stones"),
        ("schedule through the last epoch", f"{format_pebbles(summary.schedule_pebbles)} stones"),
        ("drops", str(summary.drops)),
        ("check-ins", str(summary.checkins)),
        ("referrals paid", str(summary.referrals_paid)),
        ("orders fulfilled", str(summary.orders_fulfilled)),
        ("burned", f"{format_pebbles(summary.burned_pebbles)} stones"),
        ("dividend declared", f"{summary.dividend_fen / 100:,.2f} CNY"),
        ("dividend to holders", f"{summary.dividend_holders_fen / 100:,.2f} CNY"),
        ("dividend, issuer's part", f"{summary.dividend_issuer_fen / 100:,.2f} CNY"),
        *_fairness_rows(summary),
        ("supply conserved", "yes" if summary.conserved else "NO"),
    ]
    table = "\n".join(
        f"<tr><th>{html.escape(k)}</th><td>{html.escape(v)}</td></tr>" for k, v in rows
    )
    figures = "\n".join(
        f'<figure><img alt="{html.escape(title)}" src="data:image/png;base64,{png}">'
        f"<figcaption>{html.escape(title)}</figcaption></figure>"
        for title, png in charts
    )
    path.write_text(
        "<!doctype html><html lang=en><meta charset=utf-8>"
        f"<title>Milestone demo: {html.escape(summary.preset)}</title>"
        "<style>body{font:15px system-ui,sans-serif;max-width:960px;margin:2em auto;padding:0 1em}"
        "th{text-align:left;padding-right:2em}img{max-width:100%}figure{margin:2em 0}</style>"
        f"<h1>Milestone demo ({html.escape(summary.preset)}, {summary.days} days, "
        f"{summary.owners} owners)</h1><table>{table}</table>{figures}</html>",
        encoding="utf-8",
    )
    return path


def _png(figure: Figure) -> str:
    plt = _pyplot()
    buffer = io.BytesIO()
    figure.tight_layout()
    figure.savefig(buffer, format="png", dpi=90)
    plt.close(figure)
    return base64.b64encode(buffer.getvalue()).decode("ascii")


def _fairness_rows(summary: DemoSummary) -> list[tuple[str, str]]:
    """The `fairness` object, one row a field, as `--json` names them."""
    if summary.fairness is None:
        return []
    return [
        (f"fairness: {name}", "-" if value is None else f"{value:,}")
        for name, value in summary.fairness.to_json().items()
    ]


def _emission(summary: DemoSummary) -> str:
    plt = _pyplot()
    figure, axes = plt.subplots(figsize=(8, 4.2))
    epochs = [line.epoch for line in summary.epochs]
    axes.step(epochs, [line.scheduled / PEBBLES_PER_STONE for line in summary.epochs],
              where="mid", label="scheduled budget per epoch")
    axes.bar(epochs, [line.paid / PEBBLES_PER_STONE for line in summary.epochs], alpha=0.5,
             label="paid (a quiet epoch rolls into the next)")
    axes.set_xlabel("epoch (UTC day)")
    axes.set_ylabel("stones per epoch")
    axes.set_ylim(bottom=0)
    # So far: mined stays under the schedule, the gap being what rolled over.
    total = axes.twinx()
    total.plot(epochs, [line.cum_mining_schedule / PEBBLES_PER_STONE for line in summary.epochs],
               color="black", linestyle="--", label="schedule so far")
    total.plot(epochs, [line.cum_mined / PEBBLES_PER_STONE for line in summary.epochs],
               color="tab:green", label="mined so far")
    total.set_ylabel("stones so far")
    total.set_ylim(bottom=0)
    handles = [*axes.get_legend_handles_labels()[0], *total.get_legend_handles_labels()[0]]
    axes.legend(handles=handles, loc="upper center", bbox_to_anchor=(0.5, -0.2), ncol=2,
                fontsize="small")
    return _png(figure)


def _per_100km(summary: DemoSummary) -> str:
    plt = _pyplot()
    figure, axes = plt.subplots(figsize=(8, 3.6))
    lines = [line for line in summary.epochs if line.counted_meters]
    axes.plot([line.epoch for line in lines],
              [line.paid / PEBBLES_PER_STONE / (line.counted_meters / 100_000) for line in lines],
              marker="o", label="each epoch (weekends' long trips pay less per km)")
    weeks = summary.stones_per_100km_by_week
    if weeks:
        axes.step([7 * week for week in range(len(weeks) + 1)],
                  [rate or 0.0 for rate in [*weeks, weeks[-1]]], where="post", linewidth=2.5,
                  label="each whole week")
    axes.set_xlabel("epoch (UTC day)")
    axes.set_ylabel("stones per 100 km")
    axes.set_ylim(bottom=0)
    owners = axes.twinx()
    owners.plot([line.epoch for line in summary.epochs],
                [line.owners_paid for line in summary.epochs], color="grey", linestyle=":",
                label="owners paid")
    owners.set_ylabel("owners paid in the epoch")
    owners.set_ylim(bottom=0)
    handles = [*axes.get_legend_handles_labels()[0], *owners.get_legend_handles_labels()[0]]
    axes.legend(handles=handles, loc="upper right", fontsize="small")
    return _png(figure)


def _holdings(summary: DemoSummary) -> str:
    plt = _pyplot()
    figure, axes = plt.subplots(figsize=(8, 3.6))
    axes.bar(range(len(summary.holdings)),
             [amount / PEBBLES_PER_STONE for amount in summary.holdings])
    axes.set_xlabel("owners, largest holding first")
    axes.set_ylabel("stones held")
    return _png(figure)


def _rejections(summary: DemoSummary) -> str:
    plt = _pyplot()
    figure, axes = plt.subplots(figsize=(8, 3.6))
    codes = sorted(summary.rejections_by_code, key=lambda code: -summary.rejections_by_code[code])
    axes.barh(codes or ["(none)"], [summary.rejections_by_code[c] for c in codes] or [0])
    axes.set_xlabel("reports refused")
    return _png(figure)
