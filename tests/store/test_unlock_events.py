"""`stones.unlocked`: told once per unlock, by the certification or by the sweep of time."""

from __future__ import annotations

import itertools
from collections.abc import Callable

from milestone.clock import ManualClock
from milestone.events import events_after, owner_address
from milestone.storage import Database
from milestone.store.unlocks import (
    certify,
    emit_time_unlocks,
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
    """On a journal this small PostgreSQL rightly prefers a scan; with scans priced out, its
    plan shows whether the index can serve the window at all (if not, it scans anyway)."""
    owner = make_owner()
    for _ in range(30):
        credit(owner, STONE)
        clock.advance(DAY)
    statement = owner_credits_created_in(clock.now() - 10 * DAY, clock.now() - 5 * DAY)
    sql = str(statement.compile(database.engine, compile_kwargs={"literal_binds": True}))
    with database.engine.begin() as connection:
        if database.engine.dialect.name == "sqlite":
            plan = [row[-1] for row in connection.exec_driver_sql("EXPLAIN QUERY PLAN " + sql)]
        else:
            connection.exec_driver_sql("SET LOCAL enable_seqscan = off")
            plan = [row[0] for row in connection.exec_driver_sql("EXPLAIN " + sql)]
    assert any("ix_journal_entry_created_at" in line for line in plan), plan
    with database.session() as session:
        assert len(session.execute(statement).all()) == 5
