"""The events an order's life emits: one per step that happened, none for a repeat."""

from __future__ import annotations

from collections.abc import Callable

from milestone.clock import ManualClock
from milestone.events import events_after, owner_address
from milestone.storage import Database
from milestone.store.models import CatalogueItem
from milestone.store.orders import Actor, cancel_order, fulfil_order, place_order

STONE = 10**8


def test_each_step_emits_once_with_the_owner_by_address(
    database: Database, clock: ManualClock, merchant: int,
    make_item: Callable[..., CatalogueItem], funded_owner: Callable[[int], int],
) -> None:
    owner = funded_owner(10 * STONE)
    item = make_item().id
    with database.transaction() as session:
        kept = place_order(session, clock, owner, item, 1, "o1")
        dropped = place_order(session, clock, owner, item, 1, "o2")
    with database.transaction() as session:
        place_order(session, clock, owner, item, 1, "o1")  # the same request: nothing new
        cancel_order(session, clock, Actor(owner_id=owner), dropped.id, "c1")
        fulfil_order(session, clock, merchant, kept.id, "f1", kept.pickup_code)
        fulfil_order(session, clock, merchant, kept.id, "f1", kept.pickup_code)
    with database.session() as session:
        address = owner_address(session, owner)
        events = [e for e in events_after(session, 0) if e.type.startswith("order.")]
    assert [(e.type, e.data["order_id"]) for e in events] == [
        ("order.placed", kept.id), ("order.placed", dropped.id),
        ("order.cancelled", dropped.id), ("order.fulfilled", kept.id),
    ]
    assert {e.data["owner"] for e in events} == {address}
    assert events[0].data["stones"] == str(kept.stones) and events[-1].data["status"] == "fulfilled"
