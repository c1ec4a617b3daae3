"""Retention and partitions: trips and rejections know their epoch, a record of pruned epochs,
and on PostgreSQL `trip`, `trip_round` and `epoch_weight` partitioned by epoch.

A trip's epoch is the epoch of its last second; a trip whose instants were erased (consent
revoked) takes the last epoch of its round shares, or the epoch it was received in. A
rejection's epoch is the one it was received in. Each rebuilt table is renamed aside, made
again (partitioned on PostgreSQL, with a partition for every epoch its rows hold and a default
one), filled from the old one and the old one dropped: every row is carried forward.

Revision ID: 0014
Revises: 0011
Create Date: 2026-12-04
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import sqlalchemy as sa
from alembic import op

revision = "0014"
down_revision = "0011"
branch_labels = None
depends_on = None

PROGRAM = "(SELECT genesis, epoch_seconds FROM program WHERE id = 1) AS p"


def trip_columns(with_epoch: bool) -> list[sa.Column[Any]]:
    return [
        sa.Column("vehicle_id", sa.BigInteger(), nullable=False),
        sa.Column("sequence", sa.BigInteger(), nullable=False),
        *([sa.Column("epoch", sa.BigInteger(), autoincrement=False, nullable=False)]
          if with_epoch else []),
        sa.Column("report_hash", sa.LargeBinary(length=32), nullable=False),
        sa.Column("owner_id", sa.BigInteger(), nullable=False),
        sa.Column("report_trip_id", sa.LargeBinary(length=16), nullable=False),
        sa.Column("distance_m", sa.BigInteger(), nullable=False),
        sa.Column("counted_m", sa.BigInteger(), nullable=False),
        sa.Column("received_at", sa.BigInteger(), nullable=False),
        sa.Column("started_at", sa.BigInteger(), nullable=True),
        sa.Column("ended_at", sa.BigInteger(), nullable=True),
        sa.Column("odometer_start_m", sa.BigInteger(), nullable=True),
        sa.Column("odometer_end_m", sa.BigInteger(), nullable=True),
        sa.Column("firmware", sa.String(length=16), nullable=True),
        sa.Column("envelope", sa.LargeBinary(), nullable=True),
        sa.Column("raw_erased_at", sa.BigInteger(), nullable=True),
        sa.Column("harsh_brakes", sa.BigInteger(), nullable=True),
        sa.Column("harsh_accelerations", sa.BigInteger(), nullable=True),
        sa.Column("speeding_seconds", sa.BigInteger(), nullable=True),
    ]


TRIP_OLD_COLUMNS = (
    "vehicle_id, sequence, report_hash, owner_id, report_trip_id, distance_m, counted_m,"
    " received_at, started_at, ended_at, odometer_start_m, odometer_end_m, firmware, envelope,"
    " raw_erased_at, harsh_brakes, harsh_accelerations, speeding_seconds"
)


def trip_table(with_epoch: bool, **options: Any) -> None:
    keys = ("vehicle_id", "sequence", "epoch") if with_epoch else ("vehicle_id", "sequence")
    extra = ("epoch",) if with_epoch else ()
    op.create_table(
        "trip",
        *trip_columns(with_epoch),
        sa.PrimaryKeyConstraint(*keys, name="pk_trip"),
        sa.UniqueConstraint("report_hash", *extra, name="uq_trip_report_hash"),
        sa.UniqueConstraint("report_trip_id", "vehicle_id", *extra, name="uq_trip_report_trip_id"),
        **options,
    )


def trip_round_table(**options: Any) -> None:
    op.create_table(
        "trip_round",
        sa.Column("epoch", sa.BigInteger(), nullable=False),
        sa.Column("vehicle_id", sa.BigInteger(), nullable=False),
        sa.Column("round", sa.Integer(), nullable=False),
        sa.Column("sequence", sa.BigInteger(), nullable=False),
        sa.Column("owner_id", sa.BigInteger(), nullable=False),
        sa.Column("meters", sa.BigInteger(), nullable=False),
        sa.Column("behaviour_bps", sa.Integer(), nullable=True),
        sa.PrimaryKeyConstraint("epoch", "vehicle_id", "round", "sequence", name="pk_trip_round"),
        sqlite_with_rowid=False,
        **options,
    )


def epoch_weight_table(**options: Any) -> None:
    op.create_table(
        "epoch_weight",
        sa.Column("epoch", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("round", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("owner_id", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("address", sa.LargeBinary(length=20), nullable=False),
        sa.Column("weight", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("epoch", "round", "owner_id", name="pk_epoch_weight"),
        **options,
    )


CONSTRAINTS = {
    "trip": ("pk_trip", "uq_trip_report_hash", "uq_trip_report_trip_id"),
    "trip_round": ("pk_trip_round",),
    "epoch_weight": ("pk_epoch_weight",),
}


def is_postgresql() -> bool:
    return op.get_bind().dialect.name == "postgresql"


def rebuild(
    table: str,
    create: Callable[..., None],
    copy: str,
    *,
    partitioned: bool,
    epochs: str = "SELECT DISTINCT epoch FROM {old}",
) -> None:
    """Make `table` again with `create`, carrying its rows over with `copy` (an INSERT … SELECT
    reading `<table>_old`); partitioned by epoch if asked, on PostgreSQL, with a partition for
    each epoch the query `epochs` lists."""
    op.rename_table(table, f"{table}_old")
    if is_postgresql():
        # Constraint indexes are relations of the schema: their names must be free again.
        for name in CONSTRAINTS[table]:
            op.execute(f"ALTER INDEX {name} RENAME TO {name}_old")
    if partitioned and is_postgresql():
        create(postgresql_partition_by="RANGE (epoch)")
        op.execute(f"CREATE TABLE {table}_default PARTITION OF {table} DEFAULT")
        listed = op.get_bind().exec_driver_sql(epochs.format(old=f"{table}_old"))
        for epoch in sorted(int(row[0]) for row in listed):
            op.execute(
                f"CREATE TABLE {table}_e{epoch:06d} PARTITION OF {table}"
                f" FOR VALUES FROM ({epoch}) TO ({epoch + 1})"
            )
    else:
        create()
    op.execute(copy)
    op.drop_table(f"{table}_old")


def greatest(a: str, b: str) -> str:
    return f"GREATEST({a}, {b})" if is_postgresql() else f"max({a}, {b})"


def trip_epoch_sql() -> str:
    """A trip's epoch from its old row `t` and the program `p` (see the module's docstring)."""
    last_second = greatest("t.started_at", "t.ended_at - 1")
    last_share = (
        "(SELECT max(r.epoch) FROM trip_round AS r"
        " WHERE r.vehicle_id = t.vehicle_id AND r.sequence = t.sequence)"
    )
    received = greatest("(t.received_at - p.genesis) / p.epoch_seconds", "0")
    return f"coalesce(({last_second} - p.genesis) / p.epoch_seconds, {last_share}, {received})"


def upgrade() -> None:
    trip_epoch = trip_epoch_sql()
    op.create_table(
        "pruned_epoch",
        sa.Column("epoch", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("pruned_at", sa.BigInteger(), nullable=False),
        sa.Column("trips", sa.BigInteger(), nullable=False),
        sa.Column("counted_m", sa.BigInteger(), nullable=False),
        sa.Column("rejections", sa.BigInteger(), nullable=False),
        sa.Column("rows", sa.BigInteger(), nullable=False),
        sa.Column("bytes_freed", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("epoch", name="pk_pruned_epoch"),
    )

    with op.batch_alter_table("trip_rejection") as batch_op:
        batch_op.add_column(sa.Column("epoch", sa.BigInteger(), nullable=True))
    received = greatest(
        "(trip_rejection.received_at - program.genesis) / program.epoch_seconds", "0"
    )
    op.execute(
        f"UPDATE trip_rejection SET epoch = coalesce((SELECT {received} FROM program"
        " WHERE program.id = 1), 0)"
    )
    with op.batch_alter_table("trip_rejection") as batch_op:
        batch_op.alter_column("epoch", existing_type=sa.BigInteger(), nullable=False)
        batch_op.create_index("ix_trip_rejection_epoch", ["epoch"], unique=False)

    # The trips first: their epoch reads the old round shares.
    rebuild(
        "trip",
        lambda **options: trip_table(True, **options),
        f"INSERT INTO trip (epoch, {TRIP_OLD_COLUMNS})"
        f" SELECT {trip_epoch}, {', '.join('t.' + c.strip() for c in TRIP_OLD_COLUMNS.split(','))}"
        f" FROM trip_old AS t, {PROGRAM}",
        partitioned=True,
        epochs=f"SELECT DISTINCT {trip_epoch} FROM {{old}} AS t, {PROGRAM}",
    )
    rebuild(
        "trip_round", trip_round_table,
        "INSERT INTO trip_round SELECT * FROM trip_round_old", partitioned=True,
    )
    rebuild(
        "epoch_weight", epoch_weight_table,
        "INSERT INTO epoch_weight SELECT * FROM epoch_weight_old", partitioned=True,
    )


def downgrade() -> None:
    rebuild(
        "epoch_weight", epoch_weight_table,
        "INSERT INTO epoch_weight SELECT * FROM epoch_weight_old", partitioned=False,
    )
    rebuild(
        "trip_round", trip_round_table,
        "INSERT INTO trip_round SELECT * FROM trip_round_old", partitioned=False,
    )
    rebuild(
        "trip",
        lambda **options: trip_table(False, **options),
        f"INSERT INTO trip ({TRIP_OLD_COLUMNS}) SELECT {TRIP_OLD_COLUMNS} FROM trip_old",
        partitioned=False,
    )
    with op.batch_alter_table("trip_rejection") as batch_op:
        batch_op.drop_index("ix_trip_rejection_epoch")
        batch_op.drop_column("epoch")
    op.drop_table("pruned_epoch")
