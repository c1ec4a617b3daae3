"""Retention: past the dispute window after an epoch's finalization, its per-trip rows go.

What goes, for every epoch finalized at least `dispute_window_seconds` ago (storage.md, "What
is kept"): its accepted trips (raw envelopes included), their per-round meters, the reports it
refused, and its frozen weights per owner and round. The epoch file carries every weight and
every entry those rows justified, and its hash is committed on-chain, so the audit needs none of
them; the window is the time an owner or an auditor has to dispute the epoch with the raw
evidence still at hand.

What stays, forever: the journal, the epoch files, each epoch's record and steps, every owner's
drops per round, rewards, flows and settled balances (the owner's history), each vehicle's
report cursor (so a replay is still refused), and a `pruned_epoch` row per epoch with its trip,
meter and rejection counts, so that the operator's totals still add up.

On PostgreSQL the partitioned tables lose whole partitions (`milestone.storage.partitions`);
elsewhere rows are deleted. Each epoch is pruned in a transaction of its own, in order, so an
interrupted run leaves a clean prefix and the next run goes on from it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import partial
from typing import Any, Final

from sqlalchemy import Connection, func, select, text
from sqlalchemy.orm import Session

from milestone.clock import Clock
from milestone.epochs.lock import settlement_lock
from milestone.epochs.models import FINALIZED, EpochRecord, EpochWeightRecord
from milestone.program.service import Program, load_program
from milestone.rules.time import epoch_of
from milestone.settings import Settings
from milestone.storage import Database
from milestone.storage.partitions import create_default_partition, drop_partitions
from milestone.storage.partitions import ensure_partitions as ensure_table_partitions
from milestone.storage.sizes import row_bytes, table_bytes
from milestone.telemetry.models import PrunedEpoch, Trip, TripRejection, TripRound

PARTITIONED: Final[tuple[str, ...]] = (
    Trip.__tablename__,
    TripRound.__tablename__,
    EpochWeightRecord.__tablename__,
)
"""The tables partitioned by epoch on PostgreSQL, in the order the intake writes them (so that
pruning takes their locks in the same order)."""
PRUNED: Final[tuple[str, ...]] = (*PARTITIONED, TripRejection.__tablename__)
"""Every table retention removes an epoch's rows from."""
PARTITIONS_AHEAD: Final[int] = 14
"""Epochs past the current one whose partitions settlement keeps ready."""


@dataclass(frozen=True)
class PruneReport:
    """What a run of retention removed: the epochs, the rows per table, the bytes freed."""

    epochs: list[int] = field(default_factory=list)
    rows: dict[str, int] = field(default_factory=dict)
    bytes_freed: int = 0
    retained_bytes: int = 0
    """Bytes the pruned tables still hold afterwards (the epochs inside the window)."""

    @property
    def rows_freed(self) -> int:
        return sum(self.rows.values())

    def to_dict(self) -> dict[str, Any]:
        return {
            "epochs": self.epochs,
            "rows": self.rows,
            "rows_freed": self.rows_freed,
            "bytes_freed": self.bytes_freed,
            "retained_bytes": self.retained_bytes,
        }


def prune(
    database: Database, clock: Clock, settings: Settings, *, wait: bool = True
) -> PruneReport:
    """Prune every epoch past the configured dispute window (what `milestone prune` runs),
    holding the settlement lock: pruning and settling never run at once."""
    with settlement_lock(database, wait=wait):
        return prune_epochs(database, clock, settings.dispute_window_seconds)


def prune_epochs(database: Database, clock: Clock, window_seconds: int) -> PruneReport:
    """Prune, in order, every epoch finalized at least `window_seconds` ago not pruned yet."""
    with database.session() as session:
        due = epochs_due(session, clock.now(), window_seconds)
        before = sum(table_bytes(session.connection(), PRUNED).values())
    rows = dict.fromkeys(PRUNED, 0)
    measured = 0
    for epoch in due:
        counts, freed = database.run(partial(prune_epoch, clock=clock, epoch=epoch))
        measured += freed
        for table, count in counts.items():
            rows[table] += count
    with database.session() as session:
        after = sum(table_bytes(session.connection(), PRUNED).values())
    # SQLite frees a deleted row's bytes in its pages at once; PostgreSQL keeps the pages of
    # deleted rows (reused after vacuum), so there the bytes are those measured before dropping.
    freed = measured if database.dialect == "postgresql" else max(0, before - after)
    return PruneReport(epochs=due, rows=rows, bytes_freed=freed, retained_bytes=after)


def epochs_due(session: Session, now: int, window_seconds: int) -> list[int]:
    """The epochs not pruned yet whose finalization is at least `window_seconds` old.

    Epochs finalize in order, so the due ones are a run from the first not pruned.
    """
    last_pruned = session.execute(select(func.max(PrunedEpoch.epoch))).scalar_one()
    first = 0 if last_pruned is None else last_pruned + 1
    through = session.execute(
        select(func.max(EpochRecord.epoch)).where(
            EpochRecord.status == FINALIZED,
            EpochRecord.finalized_at <= now - window_seconds,
        )
    ).scalar_one()
    return [] if through is None else list(range(first, through + 1))


def prune_epoch(session: Session, *, clock: Clock, epoch: int) -> tuple[dict[str, int], int]:
    """Remove `epoch`'s per-trip rows and record what they were, in the caller's transaction;
    the rows removed per table, and (PostgreSQL) the bytes freed."""
    trips, counted = session.execute(
        select(func.count(), func.coalesce(func.sum(Trip.counted_m), 0)).where(
            Trip.epoch == epoch
        )
    ).one()
    connection = session.connection()
    counts: dict[str, int] = {}
    freed = 0
    postgresql = connection.dialect.name == "postgresql"
    for table in PRUNED:
        where = {"epoch": epoch}
        counts[table] = int(
            session.execute(text(f"SELECT count(*) FROM {table} WHERE epoch = :epoch"), where)
            .scalar_one()
        )
        if postgresql:
            freed += drop_or_delete(connection, table, epoch)
        else:
            session.execute(text(f"DELETE FROM {table} WHERE epoch = :epoch"), where)
    session.add(
        PrunedEpoch(
            epoch=epoch,
            pruned_at=clock.now(),
            trips=int(trips),
            counted_m=int(counted),
            rejections=counts[TripRejection.__tablename__],
            rows=sum(counts.values()),
            bytes_freed=freed,
        )
    )
    session.flush()
    return counts, freed


def drop_or_delete(connection: Connection, table: str, epoch: int) -> int:
    """PostgreSQL: drop the epoch's partition of `table` if it has one, and delete the epoch's
    rows left elsewhere (the default partition, a table not partitioned); the bytes freed."""
    freed = 0
    if table in PARTITIONED:
        freed += drop_partitions(connection, table, [epoch])
    where = "epoch = %(epoch)s"
    freed += row_bytes(connection, table, where, {"epoch": epoch})
    connection.exec_driver_sql(f"DELETE FROM {table} WHERE {where}", {"epoch": epoch})
    return freed


def ensure_partitions(database: Database, clock: Clock, program: Program) -> list[int]:
    """PostgreSQL: make the partitions of the current epoch and `PARTITIONS_AHEAD` after it
    (and of earlier epochs whose rows sit in a default partition); the epochs made."""
    if database.dialect != "postgresql":
        return []
    now = clock.now()
    if now < program.genesis:
        current = 0
    else:
        current = epoch_of(now, program.genesis, program.parameters.epoch_seconds)

    def work(session: Session) -> list[int]:
        connection = session.connection()
        made: set[int] = set()
        for table in PARTITIONED:
            create_default_partition(connection, table)
            waiting = stray_epochs(connection, table)
            made.update(
                ensure_table_partitions(
                    connection, table, [*waiting, *range(current, current + PARTITIONS_AHEAD + 1)]
                )
            )
        return sorted(made)

    return database.run(work)


def stray_epochs(connection: Connection, table: str) -> Sequence[int]:
    """The epochs with rows in `table`'s default partition."""
    return [
        int(epoch)
        for (epoch,) in connection.exec_driver_sql(
            f"SELECT DISTINCT epoch FROM {table}_default"
        )
    ]


def maintain(database: Database, clock: Clock, window_seconds: int) -> PruneReport:
    """What settlement runs after settling: partitions made ahead, then due epochs pruned."""
    with database.session() as session:
        program = load_program(session)
    ensure_partitions(database, clock, program)
    return prune_epochs(database, clock, window_seconds)
