"""What the operator's commands for activities, the store and dividends share: one unit of
work per command, amounts typed in stones, instants typed as ISO 8601 dates."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any, TypeVar

import typer
from sqlalchemy.orm import Session

from milestone.cli.common import opened_from_options
from milestone.errors import MilestoneError
from milestone.rules.units import MAX_AMOUNT, PEBBLES_PER_STONE

T = TypeVar("T")
STONES_PATTERN = re.compile(r"(\d+)(?:\.(\d{1,8}))?")


class InvalidInput(MilestoneError):
    """A command-line value that does not parse."""

    code = "invalid_input"
    http_status = 422


def in_unit_of_work(
    data_dir: Path | None, database_url: str | None, work: Callable[[Session], T]
) -> T:
    """Run `work` in one committed transaction of the configured database."""
    with opened_from_options(data_dir, database_url) as (database, _):
        return database.run(work)


def in_snapshot(
    data_dir: Path | None, database_url: str | None, work: Callable[[Session], T]
) -> T:
    """Run `work` on one consistent, read-only view of the configured database."""
    with (
        opened_from_options(data_dir, database_url) as (database, _),
        database.snapshot() as session,
    ):
        return work(session)


def parse_stones(text: str) -> int:
    """`12.5` stones as pebbles, exactly: at most eight decimals, never through a float."""
    match = STONES_PATTERN.fullmatch(text.strip())
    if match is None:
        raise InvalidInput(
            f"an amount of stones looks like 12 or 12.5, at most 8 decimals: {text!r}"
        )
    whole, fraction = match.group(1), (match.group(2) or "").ljust(8, "0")
    pebbles = int(whole) * PEBBLES_PER_STONE + int(fraction)
    if pebbles > MAX_AMOUNT:
        raise InvalidInput(f"{text} stones do not fit 64 bits")
    return pebbles


def parse_instant(text: str) -> int:
    """`2026-03-01` (UTC midnight) or `2026-03-01T08:00:00Z` as Unix seconds."""
    try:
        if len(text) == 10:
            day = date.fromisoformat(text)
            return int(datetime(day.year, day.month, day.day, tzinfo=UTC).timestamp())
        moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        raise InvalidInput(
            f"an instant is YYYY-MM-DD or YYYY-MM-DDTHH:MM:SSZ, not {text!r}"
        ) from None
    if moment.tzinfo is None:
        raise InvalidInput(f"say which time zone {text!r} is in (Z for UTC)")
    return int(moment.timestamp())


def show_instant(instant: int | None) -> str | None:
    if instant is None:
        return None
    return datetime.fromtimestamp(instant, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def emit(payload: Any, json_output: bool, lines: str) -> None:
    """JSON for machines, or the readable lines."""
    typer.echo(json.dumps(payload, indent=2) if json_output else lines)
