"""A writer killed in the middle of a transaction leaves no trace: no partial posting, no stuck
lock, a ledger that still verifies and still takes writes.

The writer is a separate Python process, killed with SIGKILL (no cleanup of any kind runs).
"""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import textwrap
from collections.abc import Callable
from typing import Any

import pytest

from milestone.clock import ManualClock
from milestone.ledger import balance_of, post_transaction, read_head, transfer, verify_ledger
from milestone.storage import Database

WRITER = textwrap.dedent(
    """
    import sys, time
    from milestone.clock import ManualClock
    from milestone.ledger import TransactionRequest, post_transactions, post_transaction, transfer
    from milestone.storage import Database

    url, mode = sys.argv[1], sys.argv[2]
    database = Database.from_url(url)
    clock = ManualClock(1_767_225_600 + 60)
    if mode == "hold":
        # A big batch written but not committed, then the writer waits to be killed.
        with database.transaction() as session:
            post_transactions(session, clock, [
                TransactionRequest("gift", f"doomed-{n}", transfer("owner:1", "owner:2", 1))
                for n in range(2_000)
            ])
            session.flush()
            print("written", flush=True)
            time.sleep(120)
    else:
        # Commit one transfer after another, saying so after each commit, until killed.
        n = 0
        while True:
            database.run(lambda s: post_transaction(
                s, clock, "gift", f"stream-{n}", transfer("owner:1", "owner:2", 1)))
            n += 1
            print(n, flush=True)
    """
)


def start_writer(url: str, mode: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-c", WRITER, url, mode],
        stdout=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )


def kill(writer: subprocess.Popen[str]) -> None:
    writer.send_signal(signal.SIGKILL)
    writer.wait(timeout=30)


@pytest.fixture
def ledger(
    database: Database, database_url: str, fund: Callable[[str, int], None]
) -> tuple[Database, str]:
    fund("owner:1", 10_000)
    return database, database_url


def test_a_writer_killed_before_commit_leaves_nothing_behind(
    ledger: tuple[Database, str], clock: ManualClock, snapshot: Callable[[], Any]
) -> None:
    database, url = ledger
    before = snapshot()
    writer = start_writer(url, "hold")
    assert writer.stdout is not None
    assert writer.stdout.readline().strip() == "written"
    kill(writer)
    assert snapshot() == before
    with database.transaction() as session:  # the head is not left locked
        post_transaction(session, clock, "gift", "after", transfer("owner:1", "owner:2", 5))
    with database.snapshot() as session:
        assert verify_ledger(session).ok
        assert balance_of(session, "owner:2") == 5


def test_a_writer_killed_at_a_random_moment_loses_at_most_its_uncommitted_transaction(
    ledger: tuple[Database, str],
) -> None:
    database, url = ledger
    with database.session() as session:
        start = read_head(session).seq
    writer = start_writer(url, "stream")
    assert writer.stdout is not None
    reported = 0
    kill_after = random.Random(os.getpid()).randint(20, 60)
    while reported < kill_after:
        reported = int(writer.stdout.readline())
    kill(writer)
    # Reports the writer printed before the kill, not read yet: the pipe keeps them.
    for line in writer.stdout:
        reported = int(line)
    with database.snapshot() as session:
        committed = read_head(session).seq - start
        report = verify_ledger(session)
        assert report.ok, report.problems
        # Every reported commit is there, at most one more committed before its report was printed.
        assert reported <= committed <= reported + 1
        assert balance_of(session, "owner:2") == committed
        assert balance_of(session, "owner:1") == 10_000 - committed
