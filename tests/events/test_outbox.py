"""The outbox: events commit with their change, ids in commit order, owners by address only."""

from __future__ import annotations

import json
from collections.abc import Callable

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from milestone.activities.checkin import check_in
from milestone.clock import ManualClock
from milestone.events import emit, emit_many, events_after
from milestone.events.errors import UnknownEventType
from milestone.events.models import EventRecord
from milestone.events.outbox import last_event_id
from milestone.registry.models import Owner
from milestone.storage import Database


def test_emitted_events_get_consecutive_ids_in_order(database: Database) -> None:
    first = database.run(lambda s: emit(s, "epoch.finalized", {"epoch": 0}, at=10))
    more = database.run(
        lambda s: emit_many(s, "drops.credited", [{"n": 1}, {"n": 2}], at=11)
    )
    assert more == [first + 1, first + 2]
    with database.session() as session:
        events = events_after(session, 0)
        assert [e.id for e in events] == [first, first + 1, first + 2]
        assert [e.data for e in events[1:]] == [{"n": 1}, {"n": 2}]
        assert last_event_id(session) == first + 2


def test_an_event_is_lost_with_the_change_that_failed(database: Database) -> None:
    with pytest.raises(RuntimeError), database.transaction() as session:
        emit(session, "epoch.finalized", {"epoch": 0}, at=10)
        raise RuntimeError("the change failed")
    with database.session() as session:
        assert events_after(session, 0) == []
        assert last_event_id(session) == 0


def test_an_unknown_type_is_refused(database: Database) -> None:
    with pytest.raises(UnknownEventType), database.transaction() as session:
        emit(session, "stones.minted", {}, at=0)


def test_the_feed_pages_by_cursor_and_filters_by_type(database: Database) -> None:
    database.run(lambda s: emit_many(s, "order.placed", [{"i": i} for i in range(5)], at=1))
    database.run(lambda s: emit(s, "order.refunded", {"i": 5}, at=2))
    with database.session() as session:
        page = events_after(session, 0, limit=2)
        assert [e.data["i"] for e in page] == [0, 1]
        rest = events_after(session, page[-1].id)
        assert [e.data["i"] for e in rest] == [2, 3, 4, 5]
        assert [e.type for e in events_after(session, 0, types=["order.refunded"])] == [
            "order.refunded"
        ]


def test_a_check_in_emits_the_owner_address_and_no_internal_id(
    database: Database, clock: ManualClock, make_owner: Callable[[], int],
    release_budget: Callable[[], int],
) -> None:
    release_budget()
    owner = make_owner()
    database.run(lambda s: check_in(s, clock, owner))
    with database.session() as session:
        address = session.execute(select(Owner.address).where(Owner.id == owner)).scalar_one()
        (event,) = [e for e in events_after(session, 0) if e.type == "checkin.recorded"]
        row = session.get(EventRecord, event.id)
    assert row is not None and row.occurred_at == clock.now()
    assert event.data["owner"] == "0x" + bytes(address).hex()
    assert isinstance(event.data["reward"], str) and int(event.data["reward"]) > 0
    assert "owner_id" not in json.dumps(event.data)


@settings(
    max_examples=20, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(batches=st.lists(st.integers(1, 5), min_size=1, max_size=8))
def test_ids_are_dense_and_increasing_whatever_the_batches(
    database: Database, reset_database: Callable[[], None], batches: list[int]
) -> None:
    reset_database()
    for size in batches:
        database.run(lambda s, n=size: emit_many(s, "order.placed", [{}] * n, at=0))
    with database.session() as session:
        ids = [e.id for e in events_after(session, 0)]
    assert ids == list(range(1, sum(batches) + 1))
