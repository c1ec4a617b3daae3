"""`milestone init`: create the program and its genesis journal entry."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Annotated

import typer

from milestone.cli.common import (
    DatabaseUrlOption,
    DataDirOption,
    open_from_options,
    reported_errors,
)
from milestone.clock import SystemClock
from milestone.program.errors import InvalidGenesis
from milestone.program.service import create_program
from milestone.rules.params import get_preset, override_parameters, parse_override
from milestone.rules.units import format_pebbles


def init(
    preset: Annotated[str, typer.Option(help="Parameter preset: im-csop or minimal.")] = "im-csop",
    genesis: Annotated[
        str | None, typer.Option(help="Genesis date YYYY-MM-DD (UTC); default today.")
    ] = None,
    overrides: Annotated[
        list[str] | None,
        typer.Option("--set", help="Override one parameter: key=value (dotted for schedules)."),
    ] = None,
    data_dir: DataDirOption = None,
    database_url: DatabaseUrlOption = None,
) -> None:
    """Create the program: parameters, genesis, and the whole supply in its two reserves."""
    clock = SystemClock()
    with reported_errors():
        parameters = get_preset(preset)
        if overrides:
            parameters = override_parameters(parameters, dict(map(parse_override, overrides)))
        genesis_instant = parse_genesis(genesis) if genesis else _today(clock.now())
        database = open_from_options(data_dir, database_url, create=True)
        try:
            program = database.run(
                lambda session: create_program(session, clock, parameters, genesis=genesis_instant)
            )
        finally:
            database.dispose()
    day = datetime.fromtimestamp(program.genesis, UTC).date().isoformat()
    typer.echo(
        f"program {program.preset!r} created: genesis {day}, supply "
        f"{format_pebbles(parameters.total_supply)} stones (mining "
        f"{format_pebbles(parameters.mining.pool)}, activity "
        f"{format_pebbles(parameters.activity.pool)}), parameters 0x{program.parameters_hash.hex()}"
    )


def parse_genesis(text: str) -> int:
    """The UTC midnight starting `YYYY-MM-DD`, in Unix seconds."""
    try:
        day = date.fromisoformat(text)
    except ValueError:
        raise InvalidGenesis(f"genesis must be a date YYYY-MM-DD, not {text!r}") from None
    return int(datetime(day.year, day.month, day.day, tzinfo=UTC).timestamp())


def _today(now: int) -> int:
    return now - now % 86_400
