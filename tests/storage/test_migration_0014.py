"""Revision 0014 carries every trip, round share, weight and rejection forward, gives each its
epoch, partitions the tables on PostgreSQL, and gives them all back on the way down."""

from __future__ import annotations

from alembic import command
from sqlalchemy import Engine, text

from milestone.storage import migrate
from milestone.storage.engine import create_database_engine
from milestone.storage.migrations import alembic_config
from milestone.storage.partitions import existing_partitions

GENESIS = 1_767_225_600
DAY = 86_400
# (vehicle, sequence, started_at, ended_at, received_at, share epochs)
TRIPS = [
    (1, 1, GENESIS + 3_600, GENESIS + 7_200, GENESIS + 7_300, (0,)),
    # Across midnight: its last second is in epoch 1.
    (1, 2, GENESIS + DAY - 600, GENESIS + DAY + 600, GENESIS + DAY + 700, (0, 1)),
    # Ending exactly at midnight: its last second is still epoch 1.
    (2, 1, GENESIS + DAY + 60, GENESIS + 2 * DAY, GENESIS + 2 * DAY + 5, (1,)),
    # Instants erased by a revocation: the epoch of its last share.
    (2, 2, None, None, GENESIS + 3 * DAY, (2,)),
]


def seed_0009(engine: Engine) -> None:
    """Rows as revision 0009 stored them."""
    with engine.begin() as connection:
        connection.execute(
            text(
                "INSERT INTO program (id, preset, parameters, parameters_hash, genesis,"
                " epoch_seconds, total_supply, created_at, pseudonym_salt) VALUES (1, 'minimal',"
                " '{}', :hash, :genesis, :day, 1, :genesis, :hash)"
            ),
            {"hash": bytes(32), "genesis": GENESIS, "day": DAY},
        )
        for vehicle, sequence, started, ended, received, epochs in TRIPS:
            connection.execute(
                text(
                    "INSERT INTO trip (vehicle_id, sequence, report_hash, owner_id,"
                    " report_trip_id, distance_m, counted_m, received_at, started_at, ended_at,"
                    " envelope) VALUES (:v, :s, :hash, 7, :trip, 1000, 1000, :received,"
                    " :started, :ended, :envelope)"
                ),
                {
                    "v": vehicle, "s": sequence, "hash": bytes([vehicle, sequence]) * 16,
                    "trip": bytes([vehicle, sequence]) * 8, "received": received,
                    "started": started, "ended": ended, "envelope": b"signed" * 50,
                },
            )
            for round_, epoch in enumerate(epochs):
                connection.execute(
                    text(
                        "INSERT INTO trip_round (epoch, vehicle_id, round, sequence, owner_id,"
                        " meters) VALUES (:e, :v, :r, :s, 7, 500)"
                    ),
                    {"e": epoch, "v": vehicle, "r": round_, "s": sequence},
                )
        for epoch in (0, 1):
            connection.execute(
                text(
                    "INSERT INTO epoch_weight (epoch, round, owner_id, address, weight)"
                    " VALUES (:e, 3, 7, :address, 500)"
                ),
                {"e": epoch, "address": bytes(20)},
            )
        connection.execute(
            text(
                "INSERT INTO trip_rejection (report_hash, received_at, code, detail)"
                " VALUES (:hash, :at, 'bad_signature', 'forged')"
            ),
            {"hash": bytes([9]) * 32, "at": GENESIS + DAY + 5},
        )


def test_0014_carries_every_row_forward_with_its_epoch_and_back(empty_database_url: str) -> None:
    engine = create_database_engine(empty_database_url)
    migrate(engine, "0009")
    seed_0009(engine)
    migrate(engine)
    with engine.connect() as connection:
        trips = connection.execute(
            text("SELECT vehicle_id, sequence, epoch FROM trip ORDER BY vehicle_id, sequence")
        ).all()
        assert [tuple(row) for row in trips] == [(1, 1, 0), (1, 2, 1), (2, 1, 1), (2, 2, 2)]
        assert connection.execute(text("SELECT count(*) FROM trip_round")).scalar() == 5
        assert connection.execute(text("SELECT count(*) FROM epoch_weight")).scalar() == 2
        assert connection.execute(text("SELECT epoch FROM trip_rejection")).scalar() == 1
        envelopes = connection.execute(text("SELECT envelope FROM trip")).scalars().all()
        assert envelopes == [b"signed" * 50] * 4
        if engine.dialect.name == "postgresql":
            assert set(existing_partitions(connection, "trip")) == {0, 1, 2}
            assert set(existing_partitions(connection, "trip_round")) == {0, 1, 2}
            assert set(existing_partitions(connection, "epoch_weight")) == {0, 1}
            # Every row is in its epoch's partition, none in the default one.
            assert connection.execute(text("SELECT count(*) FROM trip_default")).scalar() == 0
    config = alembic_config()
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.downgrade(config, "0009")
    with engine.connect() as connection:
        back = connection.execute(text("SELECT vehicle_id, sequence FROM trip")).all()
        assert sorted(tuple(row) for row in back) == [(1, 1), (1, 2), (2, 1), (2, 2)]
        assert connection.execute(text("SELECT count(*) FROM trip_round")).scalar() == 5
        assert connection.execute(text("SELECT count(*) FROM epoch_weight")).scalar() == 2
    engine.dispose()
