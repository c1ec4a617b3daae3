"""How fast the ledger posts, on SQLite and PostgreSQL, measured side by side in one run.

Four shapes of work, each on a fresh database of each backend:
- `single`: one transfer per database transaction (an owner's order, a check-in);
- `loop`: `batch` transfers by `post_transaction`, in one database transaction;
- `bulk`: the same `batch` transfers by one `post_transactions` call (settlement paying each
  owner under its own idempotency key);
- `entry`: one journal entry of `batch` postings (one reserve debit, many owner credits).
The rate is postings per second; each transfer is two postings. `verify` is the rate at which
`ledger verify` re-checks everything posted above.
"""

from __future__ import annotations

import tempfile
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass
from functools import partial
from pathlib import Path

from sqlalchemy.orm import Session

from milestone.clock import ManualClock
from milestone.ledger import (
    MINING_RESERVE,
    Asset,
    Posting,
    TransactionRequest,
    open_accounts,
    owner_account,
    post_transaction,
    post_transactions,
    transfer,
    verify_ledger,
)
from milestone.program.service import create_program
from milestone.rules.params import get_preset
from milestone.storage import Database, open_database, scratch

GENESIS = 1_767_225_600  # 2026-01-01, any UTC midnight will do


@dataclass(frozen=True)
class Measure:
    postings: int
    seconds: float

    @property
    def postings_per_second(self) -> float:
        return self.postings / self.seconds if self.seconds else 0.0


SHAPES = ("single", "loop", "bulk", "entry", "verify")


@dataclass(frozen=True)
class BackendResult:
    backend: str
    measures: dict[str, Measure]

    def to_dict(self) -> dict[str, object]:
        return {
            name: {**asdict(measure), "postings_per_second": round(measure.postings_per_second)}
            for name, measure in self.measures.items()
        }


def bench_backend(database: Database, backend: str, *, singles: int, batch: int) -> BackendResult:
    """Run every shape of work on a fresh, migrated `database`."""
    clock = ManualClock(GENESIS)
    owners = [owner_account(number) for number in range(1, batch + 1)]
    payer = owners[0]

    def setup(session: Session) -> None:
        create_program(session, clock, get_preset("minimal"), genesis=GENESIS)
        open_accounts(session, clock, owners)
        # Every transfer below moves one pebble from the payer, so it never runs dry.
        post_transaction(session, clock, "bench", "seed", transfer(MINING_RESERVE, payer, 10**9))

    def transfers(prefix: str) -> list[TransactionRequest]:
        return [
            TransactionRequest("bench", f"{prefix}-{i}", transfer(payer, owners[i], 1))
            for i in range(1, batch)
        ]

    def single() -> None:
        for i in range(singles):
            request = TransactionRequest(
                "bench", f"single-{i}", transfer(payer, owners[1 + i % (batch - 1)], 1)
            )
            database.run(partial(post_one, request=request))

    def post_one(session: Session, request: TransactionRequest) -> None:
        post_transactions(session, clock, [request])

    def loop(session: Session) -> None:
        for request in transfers("loop"):
            post_transaction(
                session, clock, request.kind, request.idempotency_key, request.postings
            )

    def bulk(session: Session) -> None:
        post_transactions(session, clock, transfers("bulk"))

    def entry(session: Session) -> None:
        credits = [Posting(owner, Asset.STONE, 1) for owner in owners[1:]]
        debit = Posting(MINING_RESERVE, Asset.STONE, -len(credits))
        post_transaction(session, clock, "bench", "entry", [debit, *credits])

    def verify() -> None:
        with database.snapshot() as session:
            report = verify_ledger(session)
        if not report.ok:
            raise RuntimeError(f"ledger broken after the benchmark: {report.first}")

    database.run(setup)
    measures = {
        "single": _timed(2 * singles, single),
        "loop": _timed(2 * (batch - 1), lambda: database.run(loop)),
        "bulk": _timed(2 * (batch - 1), lambda: database.run(bulk)),
        "entry": _timed(batch, lambda: database.run(entry)),
    }
    posted = sum(measure.postings for measure in measures.values()) + 3 + 2  # genesis, seed
    measures["verify"] = _timed(posted, verify)
    return BackendResult(backend, measures)


def _timed(postings: int, work: Callable[[], object]) -> Measure:
    started = time.perf_counter()
    work()
    return Measure(postings, time.perf_counter() - started)


def bench_sqlite(*, singles: int, batch: int) -> BackendResult:
    with tempfile.TemporaryDirectory(prefix="milestone-bench-") as directory:
        database = open_database(f"sqlite:///{Path(directory) / 'bench.db'}")
        try:
            return bench_backend(database, "sqlite", singles=singles, batch=batch)
        finally:
            database.dispose()


def bench_postgresql(*, singles: int, batch: int) -> BackendResult | str:
    """The PostgreSQL result, or why it could not run."""
    server = scratch.server_url()
    reason = scratch.unreachable_reason(server)
    if reason is not None:
        return reason
    name = scratch.unique_name("milestone_bench")
    url = scratch.create_database(server, name)
    try:
        database = open_database(url.render_as_string(hide_password=False))
        try:
            return bench_backend(database, "postgresql", singles=singles, batch=batch)
        finally:
            database.dispose()
    finally:
        scratch.drop_database(server, name)


def run_ledger_bench(*, singles: int = 500, batch: int = 10_000) -> dict[str, object]:
    """Both backends, and PostgreSQL's rates as a multiple of SQLite's."""
    sqlite = bench_sqlite(singles=singles, batch=batch)
    postgresql = bench_postgresql(singles=singles, batch=batch)
    result: dict[str, object] = {"singles": singles, "batch": batch, "sqlite": sqlite.to_dict()}
    if isinstance(postgresql, str):
        result["postgresql"] = {"skipped": postgresql}
        return result
    result["postgresql"] = postgresql.to_dict()
    result["postgresql_over_sqlite"] = {
        name: round(
            postgresql.measures[name].postings_per_second
            / sqlite.measures[name].postings_per_second,
            2,
        )
        for name in SHAPES
    }
    return result
