"""Trip rows written in bulk by the database itself, to measure the intake on a full one.

The rows belong to vehicles the bench never enrols (ids from 10^9), two round shares each, and
spread over the `PREFILL_EPOCHS` epochs from genesis, the month before the bench fleet drives;
on PostgreSQL the partitions are made first, those epochs' and the fleet's, as settlement
would have made them. Envelopes are
left out (they would only add bytes the intake never reads).
"""

from __future__ import annotations

from typing import Final

from sqlalchemy import text

from milestone.storage import Database
from milestone.storage.partitions import ensure_partitions

PREFILL_VEHICLE: Final[int] = 1_000_000_000
PREFILL_EPOCHS: Final[int] = 30
TRIPS_PER_VEHICLE: Final[int] = 100
CHUNK: Final[int] = 1_000_000
PREFILL_CACHE_KIB: Final[int] = 4_000_000
"""SQLite's page cache while prefilling (4 GB at most, as the pages are touched)."""

POSTGRES_TRIPS = """
INSERT INTO trip (vehicle_id, sequence, epoch, report_hash, owner_id, report_trip_id,
                  distance_m, counted_m, received_at)
SELECT :vehicle + i / :per, i % :per, i % :epochs, sha256(int8send(i)), 1,
       substr(sha256(int8send(-i)), 1, 16), 10000, 10000, :genesis
FROM generate_series(CAST(:first AS bigint), CAST(:last AS bigint)) AS i
"""
POSTGRES_ROUNDS = """
INSERT INTO trip_round (epoch, vehicle_id, round, sequence, owner_id, meters)
SELECT i % :epochs, :vehicle + i / :per, r, i % :per, 1, 5000
FROM generate_series(CAST(:first AS bigint), CAST(:last AS bigint)) AS i, generate_series(0, 1) AS r
"""
SQLITE_TRIPS = """
INSERT INTO trip (vehicle_id, sequence, epoch, report_hash, owner_id, report_trip_id,
                  distance_m, counted_m, received_at)
WITH RECURSIVE n(i) AS (SELECT :first UNION ALL SELECT i + 1 FROM n WHERE i < :last)
SELECT :vehicle + i / :per, i % :per, i % :epochs, randomblob(32), 1, randomblob(16),
       10000, 10000, :genesis FROM n
"""
SQLITE_ROUNDS = """
INSERT INTO trip_round (epoch, vehicle_id, round, sequence, owner_id, meters)
WITH RECURSIVE n(i) AS (SELECT :first UNION ALL SELECT i + 1 FROM n WHERE i < :last)
SELECT i % :epochs, :vehicle + i / :per, r.r, i % :per, 1, 5000
FROM n, (SELECT 0 AS r UNION ALL SELECT 1) AS r
"""


def make_partitions(database: Database) -> None:
    """On PostgreSQL, the partitions of the prefilled month and of the fortnight after it, as
    settlement makes them ahead: the empty database of a comparison gets them too, so that
    the rows are the only difference between the two runs (SQLite: nothing to do)."""
    if database.dialect != "postgresql":
        return
    with database.transaction() as session:
        for table in ("trip", "trip_round"):
            ensure_partitions(session.connection(), table, range(PREFILL_EPOCHS + 15))


def prefill_trips(database: Database, trips: int, genesis: int) -> None:
    """Add `trips` trip rows (and two round shares each), a million per transaction."""
    postgresql = database.dialect == "postgresql"
    make_partitions(database)
    statements = (POSTGRES_TRIPS, POSTGRES_ROUNDS) if postgresql else (SQLITE_TRIPS, SQLITE_ROUNDS)
    with database.engine.connect() as connection:
        if not postgresql:
            # Each row goes into two indexes of random keys (hash, trip id): with SQLite's
            # default 2 MB page cache every insert reads and writes a page of the file, and a
            # 10M-row prefill takes an hour; held in memory it is minutes. Restored after, so
            # the pooled connection the intake measures with is the default one.
            cache = connection.exec_driver_sql("PRAGMA cache_size").scalar_one()
            connection.exec_driver_sql(f"PRAGMA cache_size = {-PREFILL_CACHE_KIB}")
            connection.commit()
        try:
            for first in range(0, trips, CHUNK):
                values = {
                    "vehicle": PREFILL_VEHICLE, "per": TRIPS_PER_VEHICLE,
                    "epochs": PREFILL_EPOCHS, "genesis": genesis, "first": first,
                    "last": min(trips, first + CHUNK) - 1,
                }  # fmt: skip
                with connection.begin():
                    for statement in statements:
                        connection.execute(text(statement), values)
        finally:
            if not postgresql:
                connection.exec_driver_sql(f"PRAGMA cache_size = {int(cache)}")
                connection.commit()
    if postgresql:
        with database.engine.connect() as connection:
            connection.exec_driver_sql("ANALYZE trip")
            connection.exec_driver_sql("ANALYZE trip_round")
