"""The operator's commands: owners, vehicles, consent, and telemetry intake, end to end."""

from __future__ import annotations

import json
import os
import time
from pathlib import Path

from nacl.signing import SigningKey
from typer.testing import CliRunner

from milestone.cli.main import app
from milestone.vehicle import VehicleSigner

runner = CliRunner()


def run(data_dir: Path, *args: str) -> dict | list | str:  # type: ignore[type-arg]
    result = runner.invoke(app, [*args, "--data-dir", str(data_dir)])
    assert result.exit_code == 0, result.output
    try:
        return json.loads(result.output)  # type: ignore[no-any-return]
    except json.JSONDecodeError:
        return result.output


def test_register_consent_and_ingest_from_the_command_line(tmp_path: Path) -> None:
    assert runner.invoke(app, ["init", "--preset", "minimal", "--genesis", "2026-01-01",
                               "--data-dir", str(tmp_path)]).exit_code == 0
    owner = run(tmp_path, "owner", "create", "--json")
    assert isinstance(owner, dict) and owner["address"].startswith("0x")
    keys = runner.invoke(app, ["vehicle", "keygen", "--json"])
    key = json.loads(keys.output)
    vehicle = run(tmp_path, "vehicle", "register", "--vin", "LSJW74U36PZ000123",
                  "--public-key", key["public_key"], "--owner", str(owner["owner_id"]), "--json")
    assert isinstance(vehicle, dict) and vehicle["vehicle_id"] == 1
    receipt = run(tmp_path, "consent", "grant", "--owner", "1", "--vehicle", "1",
                  "--scope", "mileage", "--terms", "2026-01")
    assert isinstance(receipt, dict) and receipt["action"] == "grant"

    signer = VehicleSigner(1, SigningKey(bytes.fromhex(key["seed"])))
    now = int(time.time())
    envelope = signer.report_trip(trip_id=os.urandom(16), started_at=now + 1,
                                  ended_at=now + 200, odometer_start_m=0,
                                  odometer_end_m=3_000, distance_m=3_000)
    reports = tmp_path / "reports.txt"
    reports.write_text(f"{envelope.hex()}\nnot hex at all\n")
    verdicts = run(tmp_path, "telemetry", "ingest", str(reports), "--json")
    assert [v["code"] for v in verdicts] == ["accepted", "malformed_report"]  # type: ignore[index]
    listing = run(tmp_path, "telemetry", "rejections", "--json")
    assert isinstance(listing, dict) and listing["counts"] == {}  # text lines are not stored
    shown = run(tmp_path, "vehicle", "show", "1", "--json")
    assert isinstance(shown, dict) and [k["serial"] for k in shown["keys"]] == [1]


def test_a_refusal_is_one_line_on_stderr_and_exit_status_1(tmp_path: Path) -> None:
    runner.invoke(app, ["init", "--preset", "minimal", "--genesis", "2026-01-01",
                        "--data-dir", str(tmp_path)])
    result = runner.invoke(app, ["vehicle", "register", "--vin", "LSJW74U39PZ000123",
                                 "--public-key", "00" * 32, "--data-dir", str(tmp_path)])
    assert result.exit_code == 1
    assert "[invalid_vin]" in result.output
    assert "Traceback" not in result.output
