"""Crash injection: settlement killed with SIGKILL at many points, then run again, ends with
exactly the roots, files and balances of an uninterrupted run, and never pays twice."""

from __future__ import annotations

import random
import shutil
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest

from milestone.chain.keys import load_operator
from milestone.clock import ManualClock
from milestone.epochs.beacon_secret import load_beacon_secret
from milestone.epochs.models import EpochRecord, OwnerStateRecord
from milestone.epochs.steps import STEPS
from milestone.ledger import MINING_RESERVE, balance_of, verify_ledger
from milestone.storage import Database, migrate

from .conftest import DAY, GENESIS, GRACE, Fleet, start_program

EPOCHS = 2
NOW = GENESIS + EPOCHS * DAY + GRACE
WORKER = Path(__file__).with_name("crash_worker.py")
HOOK_KILLS = 5
TIMED_KILLS = 3
CHAIN_STEPS = ("commit", "post_weights", "reveal", "finalize", "commit_ahead")

pytestmark = pytest.mark.slow


def build_template(root: Path) -> None:
    """A program whose fleet drove EPOCHS days, nothing settled, keys made, no chain yet."""
    database = Database.from_url(f"sqlite:///{root / 'milestone.db'}")
    migrate(database.engine)
    clock = ManualClock(GENESIS)
    start_program(database, clock)
    fleet = Fleet(database, clock)
    fleet.enroll(4, seed=21)
    fleet.drive(GENESIS, EPOCHS)
    database.dispose()
    load_operator(root / "data")
    load_beacon_secret(root / "data")


def copy_of(template: Path, target: Path) -> Path:
    shutil.copytree(template, target)
    return target


def run_worker(
    root: Path, kill_at: str | None = None, kill_after: float | None = None
) -> tuple[int, float]:
    """Run the worker to its end or its death: its exit code (-9 when killed) and how long it
    settled for (from `ready` to its end)."""
    command = [sys.executable, str(WORKER), f"sqlite:///{root / 'milestone.db'}",
               str(root / "data"), str(NOW)] + ([kill_at] if kill_at else [])  # fmt: skip
    worker = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    assert worker.stdout is not None
    ready = worker.stdout.readline().strip() == "ready"
    settling = time.monotonic()
    if kill_after is not None and ready:
        time.sleep(kill_after)
        worker.kill()
    _, errors = worker.communicate(timeout=300)
    assert worker.returncode in (0, -9), errors[-2_000:]
    return worker.returncode, time.monotonic() - settling


def outcome(root: Path) -> dict[str, Any]:
    """Everything an uninterrupted run fixes: roots, files, balances, the mining reserve."""
    database = Database.from_url(f"sqlite:///{root / 'milestone.db'}")
    with database.session() as session:
        epochs = {
            row.epoch: (
                row.status,
                bytes(row.weights_root),
                bytes(row.seed or b""),
                bytes(row.rewards_root or b""),
                bytes(row.state_root or b""),
                bytes(row.file_hash or b""),
                bytes(row.journal_head or b""),
                row.paid,
            )
            for row in session.query(EpochRecord)
        }
        balances = {row.owner_id: row.balance for row in session.query(OwnerStateRecord)}
        reserve = balance_of(session, MINING_RESERVE)
        intact = verify_ledger(session).ok
    database.dispose()
    files = {path.name: path.read_bytes() for path in sorted((root / "data" / "epochs").iterdir())}
    return {"epochs": epochs, "balances": balances, "reserve": reserve, "intact": intact,
            "files": files}  # fmt: skip


def test_killed_anywhere_settlement_ends_as_an_uninterrupted_run(tmp_path: Path) -> None:
    template = tmp_path / "template"
    template.mkdir()
    build_template(template)
    clean = copy_of(template, tmp_path / "clean")
    code, duration = run_worker(clean)
    assert code == 0
    expected = outcome(clean)
    assert expected["intact"] and len(expected["epochs"]) == EPOCHS
    assert all(status == "finalized" for status, *_ in expected["epochs"].values())

    rng = random.Random(2026)
    # At step boundaries and between a chain transaction and its record, in pipeline order, so
    # that each run gets further than the one before and dies at its point.
    # A chain step sends nothing when its transaction went out earlier (the operator commits
    # ahead), so the points are the ones the clean run reached, in its order.
    reached = (clean / "points.log").read_text().split()
    points = [
        f"{epoch}:{step}:{phase}"
        for epoch in range(EPOCHS)
        for step in STEPS
        for phase in (("start", "sent", "done") if step in CHAIN_STEPS else ("start", "done"))
        if f"{epoch}:{step}:{phase}" in reached
    ]
    at_steps = copy_of(template, tmp_path / "at_steps")
    for index in sorted(rng.sample(range(len(points)), HOOK_KILLS)):
        assert run_worker(at_steps, kill_at=points[index])[0] == -9
    assert run_worker(at_steps)[0] == 0
    assert outcome(at_steps) == expected

    # Anywhere: inside database transactions, chain calls, file writes.
    # A run may be quicker than the clean one was (the machine's load changes), so a kill time
    # can fall after its end; it then starts again from the template with an earlier bound.
    kills, bound = 0, duration / 2
    while kills == 0 and bound > 0.05:
        anywhere = copy_of(template, tmp_path / f"anywhere-{bound:.3f}")
        for _ in range(TIMED_KILLS):
            code = run_worker(anywhere, kill_after=rng.uniform(0, bound))[0]
            kills += code == -9
            if code == 0:
                break  # settled to the end: nothing left to kill
        bound /= 2
    assert kills >= 1
    assert run_worker(anywhere)[0] == 0
    assert outcome(anywhere) == expected
