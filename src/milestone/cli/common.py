"""What every command shares: the database options, opening the database, reporting errors."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated, TypeVar

import typer
from sqlalchemy.engine import make_url
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session

from milestone.chain.errors import ChainUnavailable
from milestone.errors import MilestoneError
from milestone.program.errors import ProgramNotInitialized
from milestone.program.service import Program, load_program
from milestone.rules.errors import RuleError
from milestone.rules.units import format_pebbles
from milestone.settings import Settings, load_settings
from milestone.storage import Database, open_database

T = TypeVar("T")

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


class NoDatabase(MilestoneError):
    """The command was pointed at a database that is not there; nothing was created."""

    code = "no_database"


class NoDataDirectory(MilestoneError):
    """The command was pointed at a data directory that is not there; nothing was created."""

    code = "no_data_directory"


def require_data_directory(data_dir: Path) -> None:
    """Refuse (`no_data_directory`) a data directory that does not exist, instead of making it:
    the keys, beacon secret and chain files a command would make in a mistyped directory are
    another identity (a member's fresh secret cannot open its earlier commitments)."""
    if not Path(data_dir).is_dir():
        raise NoDataDirectory(
            f"no data directory at {data_dir}: create it (or run `milestone init`), or point "
            "--data-dir at an existing one"
        )


def sqlite_file(database_url: str) -> Path | None:
    """The file of a SQLite URL; None for another database (or SQLite in memory)."""
    url = make_url(database_url)
    if url.get_backend_name() != "sqlite" or url.database in (None, "", ":memory:"):
        return None
    return Path(url.database)


def require_database(database_url: str) -> None:
    """Refuse (`no_database`) a SQLite file that does not exist, instead of creating it empty:
    a mistyped --data-dir must not leave a fresh database (and directory) behind."""
    path = sqlite_file(database_url)
    if path is not None and not path.is_file():
        raise NoDatabase(
            f"no database at {path}: run `milestone init` for a new program, or point "
            "--data-dir (or --database-url) at an existing one"
        )


def settings_from_options(
    data_dir: Path | None, database_url: str | None, **overrides: object
) -> Settings:
    """The settings the options and the environment give, once the database they name is
    known to exist; a missing one ends the command with `no_database` (nothing is created)."""
    settings = load_settings(data_dir=data_dir, database_url=database_url, **overrides)
    with reported_errors():
        require_database(settings.database_url)
    return settings


@contextmanager
def opened_from_options(
    data_dir: Path | None, database_url: str | None, **overrides: object
) -> Iterator[tuple[Database, Settings]]:
    """The configured database, migrated to the newest schema, with its settings; disposed
    after. The one way a command opens the database (`init` alone creates one)."""
    settings = settings_from_options(data_dir, database_url, **overrides)
    with reported_errors():
        database = open_database(settings.database_url)
    try:
        yield database, settings
    finally:
        database.dispose()


def open_from_options(
    data_dir: Path | None, database_url: str | None, *, create: bool = False
) -> Database:
    """The configured database, migrated, for a command that disposes of it itself. Only
    `create` (for `init`) makes a new one; otherwise a missing one ends with `no_database`."""
    if create:
        return open_database(load_settings(data_dir=data_dir, database_url=database_url)
                             .database_url)
    return open_database(settings_from_options(data_dir, database_url).database_url)


def read_from_options(
    data_dir: Path | None, database_url: str | None, read: Callable[[Session], T]
) -> T:
    """`read` in a session of the configured database, which is closed after; a refusal ends
    the command with its one line."""
    with (
        opened_from_options(data_dir, database_url) as (database, _),
        reported_errors(),
        database.session() as session,
    ):
        return read(session)


def existing_program(database_url: str) -> Program | None:
    """The program of the database at `database_url`, or None if there is none (yet)."""
    if sqlite_file(database_url) is not None:
        try:
            require_database(database_url)
        except NoDatabase:
            return None
    database = open_database(database_url)
    try:
        with database.session() as session:
            return load_program(session)
    except ProgramNotInitialized:
        return None
    finally:
        database.dispose()


def grouped_stones(pebbles: int) -> str:
    """An amount in stones with its thousands grouped, for people: `1,234,567.00000000`."""
    whole, _, fraction = format_pebbles(pebbles).partition(".")
    return f"{int(whole):,}.{fraction}"


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
