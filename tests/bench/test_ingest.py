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
