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


def test_vehicle_import_enrols_a_file_or_names_each_bad_line(tmp_path: Path) -> None:
    from milestone.registry.vin import synthetic_vin
    from milestone.vehicle import generate_signing_key

    assert runner.invoke(app, ["init", "--preset", "minimal", "--genesis", "2026-01-01",
                               "--data-dir", str(tmp_path)]).exit_code == 0
    keys = [bytes(generate_signing_key().verify_key).hex() for _ in range(3)]
    good = tmp_path / "good.csv"
    good.write_text("vin,public_key\n" + "".join(
        f"{synthetic_vin(serial)},{keys[serial]}\n" for serial in range(2)
    ))
    assert run(tmp_path, "vehicle", "import", str(good), "--json") == {
        "vehicles": 2, "first_id": 1, "last_id": 2,
    }
    bad = tmp_path / "bad.csv"
    bad.write_text(f"vin,public_key\n{synthetic_vin(5)},{keys[2]}\n{synthetic_vin(0)},{keys[2]}\n")
    result = runner.invoke(app, ["vehicle", "import", str(bad), "--data-dir", str(tmp_path)])
    assert result.exit_code == 1
    assert "line 3: VIN" in result.output and "[vin_already_registered]" in result.output
    assert "line 3:" in result.output and "[public_key_in_use]" in result.output
    assert not any(line.startswith("line 2:") for line in result.output.splitlines())
    # Nothing of the bad file went in: its first, good row is not registered either.
    missing = runner.invoke(app, ["vehicle", "show", "3", "--data-dir", str(tmp_path)])
    assert missing.exit_code == 1 and "[unknown_vehicle]" in missing.output


def test_prune_reports_nothing_due_on_a_fresh_program(tmp_path: Path) -> None:
    assert runner.invoke(app, ["init", "--preset", "minimal", "--genesis", "2026-01-01",
                               "--data-dir", str(tmp_path)]).exit_code == 0
    report = run(tmp_path, "prune", "--json")
    assert isinstance(report, dict) and report["epochs"] == [] and report["rows_freed"] == 0
    refused = runner.invoke(app, ["prune", "--dispute-window-seconds", "-1",
                                  "--data-dir", str(tmp_path)])
    assert refused.exit_code != 0
