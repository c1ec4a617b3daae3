"""`milestone campaign`: create, confirm, upload, codes, list, close."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest
from typer.testing import CliRunner

from milestone.cli import campaigns
from milestone.cli.main import app
from milestone.clock import ManualClock

runner = CliRunner()


@pytest.fixture(autouse=True)
def cli_at_test_time(clock: ManualClock, monkeypatch: pytest.MonkeyPatch) -> None:
    """The command acts at the test's instant, not the wall clock's: opening an epoch releases
    its activity budget, so at today's date every epoch since the test genesis would be."""
    monkeypatch.setattr(campaigns, "SystemClock", lambda: clock)


def run(database_url: str, *args: str) -> object:
    result = runner.invoke(app, [*args, "--json", "--database-url", database_url])
    assert result.exit_code == 0, result.output
    return json.loads(result.output)


def test_a_campaign_from_creation_to_close(
    database_url: str,
    make_owner: Callable[[], int],
    release_budget: Callable[[], int],
    tmp_path: Path,
) -> None:
    release_budget()  # 62.5 stones
    owners = [make_owner() for _ in range(3)]
    created = run(
        database_url,
        "campaign",
        "create",
        "--name",
        "Spring drive",
        "--budget",
        "10.5",
        "--reward",
        "2",
        "--ends",
        "2099-01-01",
    )
    assert isinstance(created, dict) and created["remaining"] == "10.50000000"
    paid = run(
        database_url, "campaign", "confirm", "1", "--owner", str(owners[0]), "--reference", "r1"
    )
    assert paid == {"owner_id": owners[0], "reward": "2.00000000"}
    listed = run(database_url, "campaign", "list")
    assert isinstance(listed, dict) and listed["released_unreserved"] == "52.00000000"
    assert listed["campaigns"][0]["remaining"] == "8.50000000"
    closed = run(database_url, "campaign", "close", "1")
    assert isinstance(closed, list) and closed[0]["returned"] == "8.50000000"
    text = runner.invoke(app, ["campaign", "show", "1", "--database-url", database_url])
    assert "campaign 1 'Spring drive': 0.00000000 of 10.50000000 stones left" in text.output


def test_list_uploads_and_codes(
    database_url: str,
    make_owner: Callable[[], int],
    release_budget: Callable[[], int],
    tmp_path: Path,
) -> None:
    release_budget()
    owners = [make_owner() for _ in range(2)]
    run(
        database_url,
        "campaign",
        "create",
        "--name",
        "Meetup",
        "--budget",
        "3",
        "--reward",
        "1",
        "--ends",
        "2099-01-01",
        "--proof",
        "list",
    )
    listing = tmp_path / "owners.txt"
    listing.write_text(f"{owners[0]}\n\n{owners[1]}\n999\n")
    result = run(database_url, "campaign", "upload", "1", str(listing), "--key", "meetup-1")
    assert result == {"paid": owners, "refused": [{"owner_id": 999, "code": "unknown_owner"}]}
    run(
        database_url,
        "campaign",
        "create",
        "--name",
        "QR",
        "--budget",
        "1",
        "--reward",
        "1",
        "--ends",
        "2099-01-01",
        "--proof",
        "code",
    )
    codes = run(database_url, "campaign", "codes", "2", "--count", "3")
    assert isinstance(codes, list) and len(set(codes)) == 3


def test_refusals_are_one_line_with_their_code(
    database_url: str, program: object, tmp_path: Path
) -> None:
    for args, code in [
        (
            [
                "campaign",
                "create",
                "--name",
                "x",
                "--budget",
                "1000",  # epoch 0 releases 62.5
                "--reward",
                "1",
                "--ends",
                "2099-01-01",
            ],
            "campaign_budget_exceeds_released",
        ),
        (
            [
                "campaign",
                "create",
                "--name",
                "x",
                "--budget",
                "1.123456789",
                "--reward",
                "1",
                "--ends",
                "2099-01-01",
            ],
            "invalid_input",
        ),
        (
            [
                "campaign",
                "create",
                "--name",
                "x",
                "--budget",
                "1",
                "--reward",
                "1",
                "--ends",
                "soon",
            ],
            "invalid_input",
        ),
        (["campaign", "show", "7"], "unknown_campaign"),
        (["campaign", "upload", "1", str(tmp_path / "missing.txt"), "--key", "k"], "invalid_input"),
    ]:
        result = runner.invoke(app, [*args, "--database-url", database_url])
        assert result.exit_code == 1, result.output
        assert result.output.startswith("error: ") and result.output.rstrip().endswith(f"[{code}]")
        assert "Traceback" not in result.output
