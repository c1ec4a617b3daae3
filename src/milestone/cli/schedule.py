"""`milestone schedule`: the emission schedule of a reserve, era by era."""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.table import Table

from milestone.errors import MilestoneError
from milestone.rules.errors import RuleError
from milestone.rules.params import (
    EmissionSchedule,
    Parameters,
    get_preset,
    override_parameters,
    parse_override,
    parse_parameters,
    validate_schedule,
)
from milestone.rules.schedule import Era, calculate_exhaustion_epoch, describe_eras

TABLE_WIDTH = 132
PERCENT_DIGITS = 4
"""The share of the reserve is shown to 1/10,000 of a percent, computed in integers."""


class Reserve(StrEnum):
    """The two reserves the supply is split into."""

    mining = "mining"
    activity = "activity"


def schedule(
    preset: Annotated[str, typer.Option(help="Parameter preset: im-csop or minimal.")] = "im-csop",
    preset_file: Annotated[
        Path | None, typer.Option(help="TOML file of parameters applied over the preset.")
    ] = None,
    overrides: Annotated[
        list[str] | None,
        typer.Option("--set", help="Override one parameter, e.g. --set mining.era_epochs=730."),
    ] = None,
    reserve: Annotated[Reserve, typer.Option(help="Which reserve's schedule.")] = Reserve.mining,
    pool: Annotated[
        int | None, typer.Option(help="Reserve size in whole stones (units of 10^decimals).")
    ] = None,
    initial_per_epoch: Annotated[
        int | None,
        typer.Option(
            help="First era's budget per epoch in pebbles \\[default: half the pool over the "
            "first era when --pool or --era-epochs is given, else the preset's]."
        ),
    ] = None,
    era_epochs: Annotated[int | None, typer.Option(help="Epochs per era (halving period).")] = None,
    decimals: Annotated[
        int | None, typer.Option(help="Decimals of a stone \\[default: the preset's, 8].")
    ] = None,
    json_output: Annotated[bool, typer.Option("--json", help="Print JSON for machines.")] = False,
    plot: Annotated[
        Path | None, typer.Option(help="Draw the cumulative release curve to this PNG file.")
    ] = None,
) -> None:
    """Print a reserve's emission schedule: per-epoch budget, release and share of each era."""
    with _reported_errors():
        params = _load_parameters(preset, preset_file, overrides or [])
        places = params.decimals if decimals is None else decimals
        if not 0 <= places <= 18:
            raise typer.BadParameter("decimals must be within 0..18", param_hint="--decimals")
        chosen = _adjust_schedule(
            reserve.value,
            getattr(params, reserve.value),
            pool,
            initial_per_epoch,
            era_epochs,
            places,
        )
        eras = describe_eras(chosen)
        if plot is not None:
            _draw_cumulative_release(chosen, eras, places, f"{params.name} {reserve.value}", plot)
    if json_output:
        typer.echo(json.dumps(_schedule_json(params.name, reserve.value, chosen, eras, places)))
        return
    _print_table(params.name, reserve.value, chosen, eras, places)


def _load_parameters(preset: str, preset_file: Path | None, overrides: list[str]) -> Parameters:
    params = get_preset(preset)
    if preset_file is not None:
        try:
            text = preset_file.read_text(encoding="utf-8")
        except OSError as error:
            raise typer.BadParameter(str(error), param_hint="--preset-file") from None
        params = parse_parameters(text, params)
    if overrides:
        params = override_parameters(params, dict(parse_override(text) for text in overrides))
    return params


def _adjust_schedule(
    reserve: str,
    base: EmissionSchedule,
    pool_stones: int | None,
    initial_per_epoch: int | None,
    era_epochs: int | None,
    decimals: int,
) -> EmissionSchedule:
    pool = base.pool if pool_stones is None else pool_stones * 10**decimals
    era = base.era_epochs if era_epochs is None else era_epochs
    initial = base.initial_per_epoch
    if initial_per_epoch is not None:
        initial = initial_per_epoch
    elif pool_stones is not None or era_epochs is not None:
        # As the presets do: the first era releases half the pool, rounded down.
        initial = pool // 2 // era if era > 0 else 0
    adjusted = EmissionSchedule(pool=pool, initial_per_epoch=initial, era_epochs=era)
    validate_schedule(adjusted, reserve)
    return adjusted


def _schedule_json(
    preset: str, reserve: str, schedule: EmissionSchedule, eras: list[Era], decimals: int
) -> dict[str, Any]:
    return {
        "preset": preset,
        "reserve": reserve,
        "decimals": decimals,
        "pool_pebbles": schedule.pool,
        "era_epochs": schedule.era_epochs,
        "exhaustion_epoch": calculate_exhaustion_epoch(schedule),
        "total_pebbles": eras[-1].cumulative,
        "eras": [
            {
                "era": era.era,
                "per_epoch_pebbles": era.per_epoch,
                "epochs": era.epochs,
                "released_pebbles": era.released,
                "cumulative_pebbles": era.cumulative,
            }
            for era in eras
        ],
    }


def _print_table(
    preset: str, reserve: str, schedule: EmissionSchedule, eras: list[Era], decimals: int
) -> None:
    total = eras[-1].cumulative
    table = Table(
        title=f"{preset}: {reserve} reserve of {format_units(schedule.pool, decimals)} stones",
        caption=(
            f"total released {format_units(total, decimals)} stones "
            f"({format_share(total, schedule.pool)} of the reserve); "
            f"no emission from epoch {calculate_exhaustion_epoch(schedule):,}"
        ),
    )
    table.add_column("era", justify="right")
    table.add_column("epochs", justify="right")
    table.add_column("per epoch", justify="right")
    table.add_column("released in era", justify="right")
    table.add_column("cumulative", justify="right")
    table.add_column("% of reserve", justify="right")
    for era in eras:
        first = era.first_epoch
        table.add_row(
            str(era.era),
            f"{first:,}–{first + era.epochs - 1:,}",
            format_units(era.per_epoch, decimals),
            format_units(era.released, decimals),
            format_units(era.cumulative, decimals),
            format_share(era.cumulative, schedule.pool),
        )
    # Wide enough for every digit: amounts are exact, never cut to fit a narrow terminal.
    Console(width=max(Console().width, TABLE_WIDTH)).print(table)


def format_units(amount: int, decimals: int) -> str:
    """An integer amount of base units as stones with `decimals` places and thousands commas."""
    whole, fraction = divmod(amount, 10**decimals)
    return f"{whole:,}.{fraction:0{decimals}d}" if decimals else f"{whole:,}"


def format_share(part: int, whole: int) -> str:
    """`part / whole` as a percentage, rounded down to `PERCENT_DIGITS` places."""
    scaled = part * 100 * 10**PERCENT_DIGITS // whole
    units, fraction = divmod(scaled, 10**PERCENT_DIGITS)
    return f"{units}.{fraction:0{PERCENT_DIGITS}d}%"


def _draw_cumulative_release(
    schedule: EmissionSchedule, eras: list[Era], decimals: int, label: str, path: Path
) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    # The release is linear within an era, so its corners at era ends draw it exactly.
    unit = 10**decimals
    epochs = [0] + [era.first_epoch + era.epochs for era in eras]
    released = [0.0] + [era.cumulative / unit for era in eras]
    figure, axes = plt.subplots(figsize=(8, 4.5))
    axes.plot(epochs, released, label="cumulative release")
    axes.axhline(schedule.pool / unit, color="grey", linestyle="--", label="reserve")
    axes.set_xlabel("epoch")
    axes.set_ylabel("stones")
    axes.set_title(f"{label}: cumulative release, halving every {schedule.era_epochs:,} epochs")
    axes.legend(loc="lower right")
    figure.tight_layout()
    try:
        figure.savefig(path, format="png")
    except OSError as error:
        raise typer.BadParameter(str(error), param_hint="--plot") from None
    finally:
        plt.close(figure)


@contextmanager
def _reported_errors() -> Iterator[None]:
    # A refusal ends the command with one line on stderr and status 1, never a traceback.
    try:
        yield
    except (RuleError, MilestoneError) as error:
        typer.echo(f"error: {error.message} [{error.code}]", err=True)
        raise typer.Exit(1) from None
    except typer.BadParameter as error:
        typer.echo(f"error: {error.format_message()} [invalid_option]", err=True)
        raise typer.Exit(1) from None
