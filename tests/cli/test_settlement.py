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


def copy_epochs(data_dir: Path, directory: Path) -> Path:
    directory.mkdir()
    for path in (data_dir / "epochs").iterdir():
        (directory / path.name).write_bytes(path.read_bytes())
    return directory


def test_audit_from_an_epoch_trusts_only_the_committed_one_before(
    data_dir: Path, tmp_path: Path
) -> None:
    settle_json(data_dir)
    result = runner.invoke(app, ["audit", "--from", "1", "--json", "--data-dir", str(data_dir)])
    assert result.exit_code == 0, result.output
    report = json.loads(result.output)
    assert report["ok"] and report["verdicts"][0]["epoch"] == 1
    gap = copy_epochs(data_dir, tmp_path / "gap")
    (gap / epochfile.file_name(0)).unlink()
    refused = runner.invoke(
        app, ["audit", "--from", "1", "--epochs-dir", str(gap), "--data-dir", str(data_dir)]
    )
    assert refused.exit_code == 1
    assert "epoch 1: FAIL previous_unverified" in refused.output


@pytest.mark.parametrize("damage", ["truncated", "reordered", "missing"])
def test_bad_files_are_named_and_nothing_after_them_passes(
    data_dir: Path, tmp_path: Path, damage: str
) -> None:
    settle_json(data_dir)
    database = data_dir / "milestone.db"
    before = database.read_bytes()
    copied = copy_epochs(data_dir, tmp_path / "epochs")
    first = copied / epochfile.file_name(0)
    if damage == "truncated":
        first.write_bytes(first.read_bytes()[:-20])
    elif damage == "reordered":
        first.write_bytes((copied / epochfile.file_name(1)).read_bytes())
    else:
        first.unlink()
    failed = runner.invoke(
        app, ["audit", "--epochs-dir", str(copied), "--data-dir", str(data_dir)]
    )
    assert failed.exit_code == 1
    code = "file_missing" if damage == "missing" else "file_unreadable"
    assert f"epoch 0: FAIL {code}" in failed.output
    assert "epoch 1: FAIL previous_unverified" in failed.output
    assert "epoch 1: pass" not in failed.output
    assert database.read_bytes() == before


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
