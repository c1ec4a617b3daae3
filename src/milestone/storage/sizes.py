"""How many bytes tables take, measured by the database itself, for retention's reports."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import Connection


def table_bytes(connection: Connection, tables: Sequence[str]) -> dict[str, int]:
    """The bytes each table holds now, its indexes and (PostgreSQL) partitions included.

    PostgreSQL: the relations' size on disk (`pg_total_relation_size`), which a DELETE does not
    lower until the space is reused. SQLite: the bytes in use in the table's and its indexes'
    pages (`dbstat`), which a DELETE lowers at once; the file itself keeps its free pages.
    """
    if connection.dialect.name == "postgresql":
        return {
            table: int(
                connection.exec_driver_sql(
                    "SELECT coalesce(sum(pg_total_relation_size(relid)), 0)"
                    " FROM pg_partition_tree(%(table)s::regclass)",
                    {"table": table},
                ).scalar_one()
            )
            for table in tables
        }
    sizes = dict.fromkeys(tables, 0)
    marks = ", ".join("?" for _ in tables)
    rows = connection.exec_driver_sql(
        "SELECT master.tbl_name, sum(stat.pgsize - stat.unused) FROM dbstat AS stat"
        " JOIN sqlite_master AS master ON master.name = stat.name"
        f" WHERE master.tbl_name IN ({marks}) GROUP BY master.tbl_name",
        tuple(tables),
    )
    for table, used in rows:
        sizes[table] = int(used or 0)
    return sizes


def row_bytes(connection: Connection, table: str, where: str, parameters: dict[str, int]) -> int:
    """PostgreSQL: the bytes of the rows of `table` matching `where` (their tuples, not their
    index entries): what deleting them frees for reuse."""
    return int(
        connection.exec_driver_sql(
            f"SELECT coalesce(sum(pg_column_size(t.*)), 0) FROM {table} AS t WHERE {where}",
            parameters,
        ).scalar_one()
    )
