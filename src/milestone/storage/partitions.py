"""Partitions by epoch of PostgreSQL's growing tables: created ahead, dropped whole.

A table declared with `postgresql_partition_by="RANGE (epoch)"` (the per-trip and per-epoch
tables) holds one partition per epoch, `<table>_e<epoch>`, and a default partition,
`<table>_default`, that catches rows of an epoch whose partition was not made in time (a
settler stopped for weeks) so that the intake never fails for want of one. Making a partition
moves that epoch's rows out of the default first, so making one is always safe.

Dropping a partition frees its bytes at once (no dead rows, no VACUUM), which is why retention
prunes this way. SQLite keeps plain tables: nothing here applies to it.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from typing import Final

from sqlalchemy import Connection, MetaData, Table

PARTITION_NAME: Final = re.compile(r"^(?P<table>[a-z_]+)_(?:e(?P<epoch>\d{6,})|default)$")
"""`trip_e000123`, `trip_default`: the names partitions take, which no model uses."""


def partition_name(table: str, epoch: int) -> str:
    """The name of `table`'s partition for `epoch`."""
    return f"{table}_e{epoch:06d}"


def default_partition_name(table: str) -> str:
    return f"{table}_default"


def is_partition_name(name: str | None) -> bool:
    """Whether `name` is a partition's (tools comparing the schema with the models skip them)."""
    return name is not None and PARTITION_NAME.match(name) is not None


def include_name(name: str | None, type_: str, _parents: object) -> bool:
    """Alembic's filter when comparing the database with the models: partitions are left out."""
    return not (type_ == "table" and is_partition_name(name))


def partitioned_tables(metadata: MetaData) -> list[Table]:
    """The tables the models partition by epoch on PostgreSQL, in dependency order."""
    return [
        table
        for table in metadata.sorted_tables
        if table.dialect_options["postgresql"].get("partition_by")
    ]


def existing_partitions(connection: Connection, table: str) -> dict[int, str]:
    """The epoch partitions `table` has now, by epoch."""
    rows = connection.exec_driver_sql(
        "SELECT child.relname FROM pg_inherits"
        " JOIN pg_class parent ON parent.oid = pg_inherits.inhparent"
        " JOIN pg_class child ON child.oid = pg_inherits.inhrelid"
        " WHERE parent.relname = %(table)s",
        {"table": table},
    )
    partitions = {}
    for (name,) in rows:
        match = PARTITION_NAME.match(name)
        if match and match["table"] == table and match["epoch"] is not None:
            partitions[int(match["epoch"])] = name
    return partitions


def create_default_partition(connection: Connection, table: str) -> None:
    connection.exec_driver_sql(
        f"CREATE TABLE IF NOT EXISTS {default_partition_name(table)} PARTITION OF {table} DEFAULT"
    )


def ensure_partitions(connection: Connection, table: str, epochs: Iterable[int]) -> list[int]:
    """Make `table`'s partitions for `epochs` that do not exist yet; the epochs made.

    Each is built beside the table, filled with its epoch's rows from the default partition,
    then attached: attaching checks that no other partition holds rows of its range.
    """
    have = existing_partitions(connection, table)
    made = []
    default = default_partition_name(table)
    wanted = sorted(set(epochs) - set(have))
    if wanted:
        # No row may reach the default partition between moving its rows and attaching.
        connection.exec_driver_sql(f"LOCK TABLE {default} IN EXCLUSIVE MODE")
    for epoch in wanted:
        name = partition_name(table, epoch)
        connection.exec_driver_sql(
            f"CREATE TABLE {name} (LIKE {table} INCLUDING DEFAULTS INCLUDING CONSTRAINTS)"
        )
        connection.exec_driver_sql(
            f"WITH moved AS (DELETE FROM {default} WHERE epoch = %(epoch)s RETURNING *)"
            f" INSERT INTO {name} SELECT * FROM moved",
            {"epoch": epoch},
        )
        # DDL takes no parameters: the bounds are integers, written in.
        connection.exec_driver_sql(
            f"ALTER TABLE {table} ATTACH PARTITION {name}"
            f" FOR VALUES FROM ({int(epoch)}) TO ({int(epoch) + 1})"
        )
        made.append(epoch)
    return made


def drop_partitions(connection: Connection, table: str, epochs: Sequence[int]) -> int:
    """Drop `table`'s partitions of `epochs` that exist; the bytes they held (indexes too)."""
    have = existing_partitions(connection, table)
    freed = 0
    for epoch in epochs:
        name = have.get(epoch)
        if name is None:
            continue
        freed += int(
            connection.exec_driver_sql(
                "SELECT pg_total_relation_size(%(name)s::regclass)", {"name": name}
            ).scalar_one()
        )
        connection.exec_driver_sql(f"DROP TABLE {name}")
    return freed
