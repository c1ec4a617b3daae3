"""`milestone settle`, `milestone audit` and `milestone export roots` on the wall clock."""

from __future__ import annotations

import json
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from typer.testing import CliRunner

from milestone.cli.main import app
from milestone.epochs import epochfile

runner = CliRunner()


@pytest.fixture(scope="module")
def data_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A program of the minimal preset whose genesis was three days ago, settled."""
    root = tmp_path_factory.mktemp("cli") / "data"
    genesis = (datetime.now(UTC) - timedelta(days=3)).date().isoformat()
    init = runner.invoke(
        app, ["init", "--preset", "minimal", "--genesis", genesis, "--data-dir", str(root)]
    )
    assert init.exit_code == 0, init.output
    return root


def settle_json(data_dir: Path) -> list[dict[str, str]]:
    result = runner.invoke(app, ["settle", "--json", "--data-dir", str(data_dir)])
    assert result.exit_code == 0, result.output
    settled: list[dict[str, str]] = json.loads(result.output)
    return settled


def test_settle_finalizes_every_closed_epoch_then_has_nothing_to_do(data_dir: Path) -> None:
    closed_today = time.time() % 86_400 >= 3_600  # yesterday closes an hour after midnight
    settled = settle_json(data_dir)
    assert [epoch["epoch"] for epoch in settled] == list(range(3 if closed_today else 2))
    assert settle_json(data_dir) == []
    plain = runner.invoke(app, ["settle", "--data-dir", str(data_dir)])
    assert "nothing to settle" in plain.output


def test_an_epoch_not_closed_is_refused_with_its_code(data_dir: Path) -> None:
    result = runner.invoke(app, ["settle", "--through-epoch", "30", "--data-dir", str(data_dir)])
    assert result.exit_code == 1
    assert "[epoch_not_closed]" in result.output


def test_audit_passes_then_fails_on_a_changed_file(data_dir: Path, tmp_path: Path) -> None:
    settle_json(data_dir)
    result = runner.invoke(app, ["audit", "--json", "--data-dir", str(data_dir)])
    assert result.exit_code == 0, result.output
    report = json.loads(result.output)
    assert report["ok"] and report["epochs"] >= 2

    copied = tmp_path / "epochs"
    copied.mkdir()
    for path in (data_dir / "epochs").iterdir():
        (copied / path.name).write_bytes(path.read_bytes())
    path = copied / epochfile.file_name(1)
    record, _ = epochfile.read(path)
    document = epochfile.to_document(record)
    document["totals"]["cum_mined"] += 1
    canonical = json.dumps(document, sort_keys=True, separators=(",", ":")).encode()
    epochfile.write(path, epochfile.compress(canonical))
    failed = runner.invoke(
        app, ["audit", "--epochs-dir", str(copied), "--data-dir", str(data_dir)]
    )
    assert failed.exit_code == 1
    assert "epoch 1: FAIL totals_mismatch" in failed.output
    assert "FAIL: " in failed.output


def test_export_roots_lists_the_commitments(data_dir: Path) -> None:
    settle_json(data_dir)
    result = runner.invoke(app, ["export", "roots", "--json", "--data-dir", str(data_dir)])
    assert result.exit_code == 0, result.output
    roots = json.loads(result.output)
    assert [row["epoch"] for row in roots["epochs"]] == list(range(len(roots["epochs"])))
    assert all(row["cum_mined"] == "0" for row in roots["epochs"])  # nobody drove


def test_export_epoch_writes_into_a_directory(data_dir: Path, tmp_path: Path) -> None:
    settle_json(data_dir)  # settles what is not yet (nothing, after the tests above)
    into = tmp_path / "exports"
    into.mkdir()
    result = runner.invoke(
        app, ["export", "epoch", "0", "--out", str(into), "--data-dir", str(data_dir)]
    )
    assert result.exit_code == 0, result.output
    written = into / epochfile.file_name(0)
    assert written.is_file() and str(written) in result.output
