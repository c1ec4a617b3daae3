"""`stones.unlocked`: told once per unlock, by the certification or by the sweep of time."""

from __future__ import annotations

import itertools
import re
from collections.abc import Callable
from typing import Any

from sqlalchemy import Select

from milestone.clock import ManualClock
from milestone.events import events_after, owner_address
from milestone.storage import Database
from milestone.store.unlocks import (
    certify,
    emit_time_unlocks,
    entries_created_in,
    owner_credits_created_in,
    unlocked_by_time,
)

STONE = 10**8
DAY = 86_400
LOCK = 90 * DAY  # the minimal preset's spend lock


def unlock_events(database: Database) -> list[dict[str, str]]:
    with database.session() as session:
        return [e.data for e in events_after(session, 0) if e.type == "stones.unlocked"]


def test_certification_tells_what_it_made_spendable_once(
    database: Database, clock: ManualClock, make_owner: Callable[[], int],
    credit: Callable[[int, int], None],
) -> None:
    owner = make_owner()
    credit(owner, 5 * STONE)
    clock.advance(LOCK)
    credit(owner, 2 * STONE)  # still locked after the certification: time will tell it
    database.run(lambda s: certify(s, clock, owner))
    database.run(lambda s: certify(s, clock, owner))  # a repeat changes nothing
    with database.session() as session:
        address = owner_address(session, owner)
    assert unlock_events(database) == [
        {"owner": address, "amount": str(5 * STONE), "cause": "certified"}
    ]


def test_certifying_an_owner_with_nothing_earned_tells_nothing(
    database: Database, clock: ManualClock, make_owner: Callable[[], int]
) -> None:
    owner = make_owner()
    database.run(lambda s: certify(s, clock, owner))
    assert unlock_events(database) == []


def test_windows_end_to_end_tell_each_earning_once_when_its_lock_runs_out(
    database: Database, clock: ManualClock, make_owner: Callable[[], int],
    credit: Callable[[int, int], None],
) -> None:
    owner, other = make_owner(), make_owner()
    start = clock.now()
    database.run(lambda s: certify(s, clock, owner))
    database.run(lambda s: certify(s, clock, other))
    credit(owner, 3 * STONE)
    clock.advance(10 * DAY)
    credit(owner, 4 * STONE)
    credit(other, 1 * STONE)
    cuts = [start, start + LOCK - 1, start + LOCK, start + LOCK + 10 * DAY, start + 2 * LOCK]
    with database.session() as session:
        told = [unlocked_by_time(session, a, b) for a, b in itertools.pairwise(cuts)]
    assert told == [{}, {owner: 3 * STONE}, {owner: 4 * STONE, other: 1 * STONE}, {}]
    database.run(lambda s: emit_time_unlocks(s, cuts[2], cuts[3]))
    with database.session() as session:
        addresses = {owner_address(session, owner), owner_address(session, other)}
    events = unlock_events(database)
    assert {e["owner"] for e in events} == addresses
    assert sorted(e["amount"] for e in events) == [str(STONE), str(4 * STONE)]
    assert {e["cause"] for e in events} == {"lock_elapsed"}


def test_an_uncertified_owners_lock_is_left_to_the_certification(
    database: Database, clock: ManualClock, make_owner: Callable[[], int],
    credit: Callable[[int, int], None],
) -> None:
    owner = make_owner()
    start = clock.now()
    credit(owner, 3 * STONE)
    with database.session() as session:
        assert unlocked_by_time(session, start, start + 2 * LOCK) == {}
    clock.advance(2 * LOCK)
    database.run(lambda s: certify(s, clock, owner))
    with database.session() as session:
        # Certified after the lock ran out: the stones unlocked at the certification, told then.
        assert unlocked_by_time(session, start, start + 3 * LOCK) == {}
    assert [e["cause"] for e in unlock_events(database)] == ["certified"]


def test_the_sweep_reads_its_window_of_the_journal_through_the_index(
    database: Database, clock: ManualClock, make_owner: Callable[[], int],
    credit: Callable[[int, int], None],
) -> None:
    """The window's entries come off the index on `created_at`, and their postings off one
    range of the postings' key, never a scan of either table. On a journal this small
    PostgreSQL rightly prefers scans; with scans priced out, its plan shows whether the indexes
    can serve the reads at all (if not, it scans anyway)."""
    owner = make_owner()
    for _ in range(30):
        credit(owner, STONE)
        clock.advance(DAY)
    after, until = clock.now() - 10 * DAY, clock.now() - 5 * DAY
    window = entries_created_in(after, until)
    with database.session() as session:
        first_seq, last_seq = session.execute(window).one()
        assert first_seq is not None and last_seq is not None
        credits = owner_credits_created_in(after, until, first_seq, last_seq)
        assert len(session.execute(credits).all()) == 5
    window_plan, credits_plan = (_plan(database, statement) for statement in (window, credits))
    assert any("ix_journal_entry_created_at" in line for line in window_plan), window_plan
    for line in window_plan + credits_plan:
        assert not re.search(r"\bSCAN journal_|Seq Scan on journal_", line), line


def _plan(database: Database, statement: Select[Any]) -> list[str]:
    sql = str(statement.compile(database.engine, compile_kwargs={"literal_binds": True}))
    with database.engine.begin() as connection:
        if database.engine.dialect.name == "sqlite":
            return [row[-1] for row in connection.exec_driver_sql("EXPLAIN QUERY PLAN " + sql)]
        connection.exec_driver_sql("SET LOCAL enable_seqscan = off")
        return [row[0] for row in connection.exec_driver_sql("EXPLAIN " + sql)]
