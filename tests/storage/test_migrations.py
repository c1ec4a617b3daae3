"""Migrations: one linear history whose head matches the models, applied by the program."""

from __future__ import annotations

from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine, inspect, text

from milestone.storage import migrate, open_database
from milestone.storage.engine import create_database_engine
from milestone.storage.migrations import alembic_config, current_revision, head_revision
from milestone.storage.models import metadata
from milestone.storage.partitions import include_name


def test_the_history_is_one_line_with_one_head() -> None:
    scripts = ScriptDirectory.from_config(alembic_config())
    assert scripts.get_heads() == [head_revision()]
    for revision in scripts.walk_revisions():
        assert not isinstance(revision.down_revision, tuple | list), revision.revision
        assert len(scripts.get_revisions(revision.revision)) == 1


def test_migrating_reaches_the_head_and_again_changes_nothing(empty_database_url: str) -> None:
    engine = create_database_engine(empty_database_url)
    assert current_revision(engine) is None
    migrate(engine)
    migrate(engine)
    assert current_revision(engine) == head_revision()
    with engine.connect() as connection:
        head = connection.execute(text("SELECT id, seq, hash FROM journal_head")).all()
    assert [(row.id, row.seq, bytes(row.hash)) for row in head] == [(1, 0, bytes(32))]
    engine.dispose()


def test_the_migrated_schema_is_exactly_the_models(empty_database_url: str) -> None:
    engine = create_database_engine(empty_database_url)
    migrate(engine)
    with engine.connect() as connection:
        context = MigrationContext.configure(
            connection, opts={"compare_type": True, "include_name": include_name}
        )
        assert compare_metadata(context, metadata) == []
    engine.dispose()


def test_the_history_downgrades_to_nothing_and_back(empty_database_url: str) -> None:
    engine = create_database_engine(empty_database_url)
    migrate(engine)
    config = alembic_config()
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.downgrade(config, "base")
    assert current_revision(engine) is None
    migrate(engine)
    assert current_revision(engine) == head_revision()
    engine.dispose()


def test_opening_a_database_migrates_it(empty_database_url: str) -> None:
    database = open_database(empty_database_url)
    assert current_revision(database.engine) == head_revision()
    database.dispose()


def test_a_dividend_declared_before_0010_reads_back_per_circulating(
    empty_database_url: str,
) -> None:
    """Dividends declared before the per-stone rule gave the holders everything."""
    engine = create_database_engine(empty_database_url)
    config = alembic_config()
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, "0009")
        connection.execute(
            text(
                "INSERT INTO dividend (id, declare_key, amount_fen, record_epoch, payment_date, "
                "note, declared_at, circulating, holders, root) VALUES (1, 'k', 1000, 0, "
                "'2026-03-31', '', 0, 5, 1, :root)"
            ),
            {"root": bytes(32)},
        )
    migrate(engine)
    with engine.connect() as connection:
        row = connection.execute(text("SELECT mode, issuer_fen FROM dividend")).one()
        epochs = connection.execute(text("SELECT count(*) FROM epoch")).scalar_one()
    assert (row.mode, row.issuer_fen, epochs) == ("per_circulating", 0, 0)
    engine.dispose()


def test_0011_carries_each_committed_dividend_s_record_epoch_to_its_epoch(
    empty_database_url: str,
) -> None:
    engine = create_database_engine(empty_database_url)
    config = alembic_config()
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, "0009")
    with engine.begin() as connection:
        for epoch in (2, 3):
            connection.execute(
                text(
                    "INSERT INTO epoch (epoch, status, started_at, inputs_cutoff, scheduled, "
                    "rollover_in, weights_root, total_weight) "
                    "VALUES (:e, 'finalized', 0, 0, 0, 0, :r, 0)"
                ),
                {"e": epoch, "r": bytes(32)},
            )
        connection.execute(
            text(
                "INSERT INTO dividend (id, declare_key, amount_fen, record_epoch, payment_date, "
                "note, declared_at, circulating, holders, root, committed_epoch) "
                "VALUES (1, 'k', 100, 1, '2026-01-05', '', 0, 10, 1, :r, 3)"
            ),
            {"r": b"\x01" * 32},
        )
    migrate(engine)
    with engine.connect() as connection:
        rows = connection.execute(
            text("SELECT epoch, dividend_record_epoch FROM epoch ORDER BY epoch")
        ).all()
    assert [tuple(row) for row in rows] == [(2, None), (3, 1)]
    engine.dispose()


def test_0018_indexes_a_journal_written_before_it_by_creation_time(
    empty_database_url: str,
) -> None:
    engine = create_database_engine(empty_database_url)
    config = alembic_config()
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, "0017")
    with engine.begin() as connection:
        for seq in (1, 2):
            connection.execute(
                text(
                    "INSERT INTO journal_entry (seq, kind, idempotency_key, created_at, epoch, "
                    "metadata, prev_hash, hash) VALUES (:s, 'genesis', :k, :t, 0, '{}', :p, :h)"
                ),
                {"s": seq, "k": f"k{seq}", "t": 1_000 * seq, "p": bytes(32),
                 "h": bytes([seq]) * 32},
            )
    assert "ix_journal_entry_created_at" not in _journal_indexes(engine)
    migrate(engine)
    assert "ix_journal_entry_created_at" in _journal_indexes(engine)
    with engine.connect() as connection:
        rows = connection.execute(
            text("SELECT seq FROM journal_entry WHERE created_at > 1000")
        ).all()
    assert [row.seq for row in rows] == [2]
    engine.dispose()


def _journal_indexes(engine: Engine) -> set[str]:
    return {index["name"] for index in inspect(engine).get_indexes("journal_entry")}
