"""Many writers at once: the chain never forks, no account is overdrawn, no key posts twice.

Each writer is a thread with its own connection, all released together by a barrier. On
PostgreSQL they really run in parallel and serialize on the journal head's row lock; on SQLite
they queue for the single write lock.
"""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Callable

from milestone.clock import ManualClock
from milestone.ledger import balance_of, find_entry, post_transaction, transfer, verify_ledger
from milestone.ledger.errors import InsufficientBalance
from milestone.storage import Database

WRITERS = 12
ATTEMPTS = 5
AMOUNT = 7


def race(writers: int, attempt: Callable[[int], str]) -> Counter[str]:
    """Run `attempt(writer)` on `writers` threads started together; count the outcomes."""
    outcomes: Counter[str] = Counter()
    lock = threading.Lock()
    start = threading.Barrier(writers)

    def run(writer: int) -> None:
        start.wait()
        outcome = attempt(writer)
        with lock:
            outcomes[outcome] += 1

    threads = [threading.Thread(target=run, args=(w,)) for w in range(writers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    return outcomes


def test_racing_writers_drain_one_account_exactly_to_zero_and_no_further(
    database: Database, clock: ManualClock, fund: Callable[[str, int], None]
) -> None:
    affordable = 23
    fund("owner:1", affordable * AMOUNT)

    def attempt(writer: int) -> str:
        results = []
        for n in range(ATTEMPTS):
            key = f"w{writer}-{n}"
            try:
                database.run(
                    lambda s, key=key: post_transaction(
                        s,
                        clock,
                        "gift",
                        key,
                        transfer("owner:1", f"owner:{2 + writer % 2}", AMOUNT),
                    )
                )
                results.append("paid")
            except InsufficientBalance:
                results.append("refused")
        return ",".join(results)

    outcomes = race(WRITERS, attempt)
    paid = sum(outcome.count("paid") * n for outcome, n in outcomes.items())
    refused = sum(outcome.count("refused") * n for outcome, n in outcomes.items())
    assert (paid, refused) == (affordable, WRITERS * ATTEMPTS - affordable)
    with database.snapshot() as session:
        assert balance_of(session, "owner:1") == 0
        assert balance_of(session, "owner:2") + balance_of(session, "owner:3") == paid * AMOUNT
        report = verify_ledger(session)
    assert report.ok, report.problems
    assert report.entries == 1 + 1 + affordable  # genesis, the grant, the payments


def test_racing_writers_with_one_idempotency_key_post_it_once(
    database: Database, clock: ManualClock, fund: Callable[[str, int], None]
) -> None:
    fund("owner:1", 1_000)

    def attempt(writer: int) -> str:
        entry = database.run(
            lambda s: post_transaction(
                s, clock, "gift", "the-one", transfer("owner:1", "owner:2", 10)
            )
        )
        return f"{entry.seq}:{'replayed' if entry.replayed else 'posted'}"

    outcomes = race(WRITERS, attempt)
    with database.snapshot() as session:
        posted = find_entry(session, "the-one")
        assert posted is not None
        assert outcomes == Counter(
            {f"{posted.seq}:posted": 1, f"{posted.seq}:replayed": WRITERS - 1}
        )
        assert balance_of(session, "owner:2") == 10
        assert verify_ledger(session).ok
