"""Alembic environment: migrates the connection `milestone.storage.migrations` hands over."""

from __future__ import annotations

from alembic import context

from milestone.storage.models import metadata
from milestone.storage.partitions import include_name

connection = context.config.attributes.get("connection")
if connection is None:
    raise RuntimeError("run migrations through milestone.storage.migrations.migrate(engine)")

context.configure(
    connection=connection,
    target_metadata=metadata,
    render_as_batch=connection.dialect.name == "sqlite",  # SQLite alters tables by copying
    compare_type=True,
    include_name=include_name,  # partitions are no model's: autogenerate must not drop them
)
with context.begin_transaction():
    context.run_migrations()
