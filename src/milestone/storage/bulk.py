"""Bulk reads and writes straight to the database driver, for the intake and the imports.

Intake writes a few rows and looks up a few keys per report, thousands of reports a second.
Through SQLAlchemy, building and processing the parameters of those statements cost more than
the database's own work (measured with `milestone bench ingest`), so this module hands plain
tuples to the driver inside the session's transaction: `executemany` on SQLite, `COPY` on
PostgreSQL; `IN (?, ?, ...)` on SQLite, `= ANY(array)` on PostgreSQL. Only table and column
names known in advance are put into statements; every value travels as a parameter.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any, Final

from sqlalchemy import Table
from sqlalchemy.orm import Session

SQLITE_CHUNK: Final[int] = 2_000
"""Values per SQLite IN list: well under its limit of bound parameters per statement."""


def is_postgresql(session: Session) -> bool:
    return session.get_bind().dialect.name == "postgresql"


def insert_rows(
    session: Session, table: Table, columns: Sequence[str], rows: Sequence[tuple[Any, ...]]
) -> None:
    """Insert `rows` (tuples in the order of `columns`) into `table`, in the session's
    transaction. The rows must not conflict with existing ones."""
    if not rows:
        return
    names = ", ".join(table.c[column].name for column in columns)
    connection = session.connection()
    if connection.dialect.name == "postgresql":
        driver = connection.connection.driver_connection
        assert driver is not None
        with driver.cursor() as cursor, cursor.copy(
            f"COPY {table.name} ({names}) FROM STDIN"
        ) as copy:
            for row in rows:
                copy.write_row(row)
        return
    marks = ", ".join("?" for _ in columns)
    connection.exec_driver_sql(f"INSERT INTO {table.name} ({names}) VALUES ({marks})", list(rows))


def select_where_in(
    session: Session,
    table: Table,
    columns: Sequence[str],
    key: str,
    values: Sequence[Any],
    *,
    at_least: tuple[str, int] | None = None,
) -> Iterator[tuple[Any, ...]]:
    """The `columns` of the rows of `table` whose `key` is one of `values` (and, with
    `at_least=(column, minimum)`, whose `column` is at least `minimum`: on a table partitioned
    by that column, PostgreSQL then reads only the partitions from there on)."""
    if not values:
        return
    names = ", ".join(table.c[column].name for column in columns)
    head = f"SELECT {names} FROM {table.name} WHERE "
    tail = "" if at_least is None else f" AND {table.c[at_least[0]].name} >= {int(at_least[1])}"
    connection = session.connection()
    if connection.dialect.name == "postgresql":
        yield from connection.exec_driver_sql(
            f"{head}{table.c[key].name} = ANY(%s){tail}", (list(values),)
        )
        return
    for start in range(0, len(values), SQLITE_CHUNK):
        part = values[start : start + SQLITE_CHUNK]
        marks = ", ".join("?" for _ in part)
        yield from connection.exec_driver_sql(
            f"{head}{table.c[key].name} IN ({marks}){tail}", tuple(part)
        )
