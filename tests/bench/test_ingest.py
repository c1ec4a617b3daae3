"""The intake benchmark runs on a tiny fleet (its timings are printed, never asserted)."""

from __future__ import annotations

import json

from typer.testing import CliRunner

from milestone.bench.ingest import Fleet, enroll_fleet, measure_ingest
from milestone.cli.main import app
from milestone.rules.reports import decode_envelope
from milestone.storage import Database


def test_the_fleet_interleaves_vehicles_and_every_report_is_accepted(database: Database) -> None:
    fleet = enroll_fleet(database, vehicles=3, trips=4)
    envelopes = fleet.envelopes
    assert [decode_envelope(e).report.vehicle_id for e in envelopes[:3]] == [1, 2, 3]
    assert len(envelopes) == 12
    floor, intake = measure_ingest(database, fleet.now, envelopes, batch=5)  # raises on rejections
    assert floor.wall > 0 and intake.wall > 0 and floor.cpu >= 0


def test_reports_reach_the_program_from_each_vehicle_in_turn() -> None:
    fleet = Fleet([[b"a1", b"a2"], [b"b1", b"b2"]], now=0)
    assert fleet.envelopes == [b"a1", b"b1", b"a2", b"b2"]


def test_bench_ingest_prints_json() -> None:
    result = CliRunner().invoke(
        app, ["bench", "ingest", "--vehicles", "3", "--trips", "3", "--batch", "4",
              "--no-postgres", "--json"],
    )
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["reports"] == 9
    assert set(data) == {"reports", "batch", "verify_floor_per_s", "reports_per_s", "ratio",
                         "ratio_cpu"}


def test_bench_ingest_compares_an_empty_database_with_a_prefilled_one() -> None:
    result = CliRunner().invoke(
        app, ["bench", "ingest", "--vehicles", "3", "--trips", "4", "--batch", "4",
              "--no-postgres", "--prefill", "1000", "--json"],
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["prefilled_trip_rows"] == 1_000
    assert data["prefill_s"] >= 0
    for key in ("prefilled_over_empty", "prefilled_over_empty_cpu",
                "prefilled_over_empty_by_floor", "ratio_empty", "ratio_prefilled"):  # fmt: skip
        assert data[key] > 0


def test_the_prefill_writes_its_rows_and_restores_the_page_cache(database: Database) -> None:
    from sqlalchemy import text

    from milestone.bench.prefill import prefill_trips

    def cache_size() -> int | None:
        if database.dialect != "sqlite":
            return None
        with database.engine.connect() as connection:
            return int(connection.exec_driver_sql("PRAGMA cache_size").scalar_one())

    before = cache_size()
    prefill_trips(database, 2_500, 1_767_225_600)
    assert cache_size() == before
    with database.session() as session:
        assert session.execute(text("SELECT count(*) FROM trip")).scalar_one() == 2_500
        assert session.execute(text("SELECT count(*) FROM trip_round")).scalar_one() == 5_000
