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

POSTGRES_TRIPS = """
INSERT INTO trip (vehicle_id, sequence, epoch, report_hash, owner_id, report_trip_id,
                  distance_m, counted_m, received_at)
SELECT :vehicle + i / :per, i % :per, i % :epochs, sha256(int8send(i)), 1,
       substr(sha256(int8send(-i)), 1, 16), 10000, 10000, :genesis
FROM generate_series(:first, :last) AS i
"""
POSTGRES_ROUNDS = """
INSERT INTO trip_round (epoch, vehicle_id, round, sequence, owner_id, meters)
SELECT i % :epochs, :vehicle + i / :per, r, i % :per, 1, 5000
FROM generate_series(:first, :last) AS i, generate_series(0, 1) AS r
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


def prefill_trips(database: Database, trips: int, genesis: int) -> None:
    """Add `trips` trip rows (and two round shares each), a million per transaction."""
    postgresql = database.dialect == "postgresql"
    if postgresql:
        with database.transaction() as session:
            for table in ("trip", "trip_round"):
                ensure_partitions(session.connection(), table, range(PREFILL_EPOCHS + 15))
    statements = (POSTGRES_TRIPS, POSTGRES_ROUNDS) if postgresql else (SQLITE_TRIPS, SQLITE_ROUNDS)
    for first in range(0, trips, CHUNK):
        values = {
            "vehicle": PREFILL_VEHICLE, "per": TRIPS_PER_VEHICLE, "epochs": PREFILL_EPOCHS,
            "genesis": genesis, "first": first, "last": min(trips, first + CHUNK) - 1,
        }  # fmt: skip
        with database.transaction() as session:
            for statement in statements:
                session.execute(text(statement), values)
    if postgresql:
        with database.engine.connect() as connection:
            connection.exec_driver_sql("ANALYZE trip")
            connection.exec_driver_sql("ANALYZE trip_round")
