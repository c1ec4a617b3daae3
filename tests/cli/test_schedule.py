"""`milestone schedule`: the table, the JSON, the plot, and one-line refusals."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from milestone.cli.main import app
from milestone.cli.schedule import format_share, format_units
from milestone.rules.units import stones

runner = CliRunner()


def run_json(*args: str) -> dict[str, Any]:
    result = runner.invoke(app, ["schedule", "--json", *args])
    assert result.exit_code == 0, result.stderr
    data: dict[str, Any] = json.loads(result.stdout)
    return data


def test_im_csop_json_shows_the_design_figures() -> None:
    data = run_json("--preset", "im-csop")
    assert data["eras"][0] == {
        "era": 0,
        "per_epoch_pebbles": 7_186_858_316_221,
        "epochs": 1_461,
        "released_pebbles": 7_186_858_316_221 * 1_461,
        "cumulative_pebbles": 7_186_858_316_221 * 1_461,
    }
    assert len(data["eras"]) == 43
    assert stones(209_999_999) < data["total_pebbles"] < stones(210_000_000)
    assert data["total_pebbles"] == data["eras"][-1]["cumulative_pebbles"]
    assert isinstance(data["total_pebbles"], int)


def test_bitcoin_parameters_give_bitcoin_supply() -> None:
    data = run_json(
        "--pool", "21000000", "--initial-per-epoch", "5000000000", "--era-epochs", "210000",
        "--decimals", "8",
    )  # fmt: skip
    assert data["total_pebbles"] == 2_099_999_997_690_000
    assert len(data["eras"]) == 33


def test_pool_alone_releases_half_in_the_first_era() -> None:
    data = run_json("--pool", "1000", "--era-epochs", "10")
    assert data["eras"][0]["per_epoch_pebbles"] == stones(500) // 10


def test_activity_reserve_and_minimal_preset() -> None:
    data = run_json("--preset", "minimal", "--reserve", "activity")
    assert data["pool_pebbles"] == stones(500)
    assert data["eras"][0]["epochs"] == 4


def test_overrides_and_preset_files_apply(tmp_path: Path) -> None:
    assert run_json("--set", "mining.era_epochs=730")["eras"][0]["epochs"] == 730
    preset_file = tmp_path / "program.toml"
    preset_file.write_text("[activity]\nera_epochs = 8\ninitial_per_epoch = 1_000_000\n")
    data = run_json(
        "--preset", "minimal", "--preset-file", str(preset_file), "--reserve", "activity"
    )
    assert data["eras"][0]["per_epoch_pebbles"] == 1_000_000


def test_the_table_lists_every_era_with_its_share() -> None:
    result = runner.invoke(app, ["schedule", "--preset", "im-csop"])
    assert result.exit_code == 0
    assert "71,868.58316221" in result.stdout
    assert "49.9999%" in result.stdout
    assert "│  42 │" in result.stdout and "│  43 │" not in result.stdout


def test_the_plot_is_a_png(tmp_path: Path) -> None:
    target = tmp_path / "release.png"
    result = runner.invoke(app, ["schedule", "--preset", "minimal", "--plot", str(target)])
    assert result.exit_code == 0, result.stderr
    assert target.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


@pytest.mark.parametrize(
    ("args", "code"),
    [
        (["--preset", "tesla"], "unknown_preset"),
        (["--pool", "-5"], "amount_not_positive"),
        (["--pool", "0"], "amount_not_positive"),
        (["--era-epochs", "0"], "amount_not_positive"),
        (["--pool", "1000", "--initial-per-epoch", "10000000000000"], "schedule_exceeds_pool"),
        (["--pool", "100000000000"], "amount_too_large"),
        (["--set", "colour=red"], "unknown_parameter"),
        (["--set", "drop_size=1000000000000000"], "drop_size_exceeds_round_budget"),
        (["--set", "nonsense"], "invalid_parameter"),
        (["--decimals", "40"], "invalid_option"),
        (["--preset-file", "/nonexistent/program.toml"], "invalid_option"),
    ],
)
def test_bad_input_ends_with_one_line(args: list[str], code: str) -> None:
    result = runner.invoke(app, ["schedule", *args])
    assert result.exit_code == 1
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: ") and lines[0].endswith(f"[{code}]")
    assert result.stdout == ""


def test_bad_toml_file_ends_with_one_line(tmp_path: Path) -> None:
    preset_file = tmp_path / "broken.toml"
    preset_file.write_text("drop_size = = 1\n")
    result = runner.invoke(app, ["schedule", "--preset-file", str(preset_file)])
    assert result.exit_code == 1
    assert result.stderr.count("\n") == 1 and "[invalid_parameter]" in result.stderr


def test_the_installed_command_prints_no_traceback() -> None:
    command = Path(sys.executable).parent / "milestone"
    result = subprocess.run(
        [str(command), "schedule", "--pool", "-1"], capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 1
    assert (
        result.stderr
        == "error: mining.pool must be positive (got -100000000) [amount_not_positive]\n"
    )


def test_formatting_is_exact() -> None:
    assert format_units(7_186_858_316_221, 8) == "71,868.58316221"
    assert format_units(5, 0) == "5"
    assert format_share(1, 3) == "33.3333%"
    assert format_share(3, 3) == "100.0000%"
