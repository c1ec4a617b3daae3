"""Alembic migrations of every table, run by the program itself on start.

One linear history in `versions/`; each change of the schema is a revision on top of the last.
`migrate(engine)` brings a database to the head revision; on PostgreSQL it holds an advisory
lock meanwhile, so replicas starting together migrate once.
"""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine, text

MIGRATIONS_DIR = Path(__file__).parent
MIGRATION_LOCK_KEY = 0x6D696C6573746F6E
"""PostgreSQL advisory lock key ("mileston" in ASCII) held while migrating."""


def alembic_config() -> Config:
    """An Alembic configuration pointing at this package; no alembic.ini needed."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    return config


def head_revision() -> str:
    """The newest revision of the history (there is exactly one head)."""
    head = ScriptDirectory.from_config(alembic_config()).get_current_head()
    if head is None:
        raise RuntimeError("the migration history is empty")
    return head


def current_revision(engine: Engine) -> str | None:
    """The revision the database is at, None if it was never migrated."""
    with engine.connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()


def migrate(engine: Engine, revision: str = "head") -> None:
    """Upgrade the database to `revision` (default: the head), in one transaction."""
    config = alembic_config()
    with engine.begin() as connection:
        if connection.dialect.name == "postgresql":
            connection.execute(
                text("SELECT pg_advisory_xact_lock(:key)"), {"key": MIGRATION_LOCK_KEY}
            )
        config.attributes["connection"] = connection
        command.upgrade(config, revision)
