"""What every command shares: the database options, opening the database, reporting errors."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated

import typer
from sqlalchemy.exc import OperationalError

from milestone.chain.errors import ChainUnavailable
from milestone.errors import MilestoneError
from milestone.rules.errors import RuleError
from milestone.settings import load_settings
from milestone.storage import Database, open_database

DataDirOption = Annotated[
    Path | None,
    typer.Option(
        "--data-dir", help="Data directory \\[env MILESTONE_DATA_DIR; default ./.milestone]."
    ),
]
DatabaseUrlOption = Annotated[
    str | None,
    typer.Option(
        "--database-url",
        help="SQLAlchemy URL, e.g. postgresql+psycopg://user:pw@host/db "
        "\\[env MILESTONE_DATABASE_URL; default a SQLite file in the data directory].",
    ),
]
JsonOption = Annotated[bool, typer.Option("--json", help="Print JSON for machines.")]
ContractOption = Annotated[
    str | None, typer.Option(help="Program address (default: the data directory's).")
]


def open_from_options(data_dir: Path | None, database_url: str | None) -> Database:
    """The configured database, migrated to the newest schema."""
    settings = load_settings(data_dir=data_dir, database_url=database_url)
    return open_database(settings.database_url)


@contextmanager
def reported_errors() -> Iterator[None]:
    """Turn a refusal into one line on stderr and exit status 1, never a traceback."""
    try:
        yield
    except (MilestoneError, RuleError) as error:
        typer.echo(f"error: {error.message} [{error.code}]", err=True)
        raise typer.Exit(1) from None
    except OperationalError as error:
        reason = str(error.orig).strip().splitlines()[0] if error.orig else str(error)
        typer.echo(f"error: the database cannot be used: {reason} [database_unavailable]", err=True)
        raise typer.Exit(1) from None


@contextmanager
def reported_chain_errors() -> Iterator[None]:
    """`reported_errors`, with a node that does not answer reported as `chain_unavailable`."""
    with reported_errors():
        try:
            yield
        except OSError as error:
            raise ChainUnavailable(f"the chain did not answer: {error}") from error
