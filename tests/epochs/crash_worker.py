"""Settle in a process of its own, for the crash tests; optionally SIGKILL itself mid-way.

    python crash_worker.py DATABASE_URL DATA_DIR NOW [EPOCH:STEP:PHASE]

prints `ready` once everything is open, then settles every closed epoch at the fixed instant
NOW, killing itself with SIGKILL when the hook reaches EPOCH:STEP:PHASE.
"""

from __future__ import annotations

import os
import signal
import sys
from pathlib import Path

from milestone.clock import ManualClock
from milestone.dividends.commitments import dividends_commitment
from milestone.epochs.settle import settle
from milestone.epochs.setup import open_settlement
from milestone.settings import Settings


def main(argv: list[str]) -> None:
    database_url, data_dir, now = argv[1], Path(argv[2]), int(argv[3])
    kill_at = tuple(argv[4].split(":")) if len(argv) > 4 else None
    settings = Settings(data_dir=data_dir, database_url=database_url, settle_grace_seconds=3_600)

    reached = data_dir.parent / "points.log"

    def hook(epoch: int, step: str, phase: str) -> None:
        with reached.open("a") as log:  # the points a run reaches, for the test to choose from
            log.write(f"{epoch}:{step}:{phase}\n")
        if kill_at == (str(epoch), step, phase):
            os.kill(os.getpid(), signal.SIGKILL)

    with open_settlement(
        settings, ManualClock(now), dividends=dividends_commitment, on_step=hook
    ) as ctx:
        print("ready", flush=True)
        settle(ctx)
    print("settled", flush=True)


if __name__ == "__main__":
    main(sys.argv)
