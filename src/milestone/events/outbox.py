"""The outbox: `emit` writes an event in the caller's transaction, readers page through it.

A service calls `emit(session, type, payload, at=...)` beside the change it makes, so the
event commits if and only if the change does. Event ids are taken from the `event_head` row
under a lock held until commit: ids are visible in the order they were given, which is what
lets the feed's cursor and the dispatcher read "every event after n" without ever skipping one
that commits late. Emitting is the last thing a service does, after its ledger postings, so
the two locks are always taken in the same order.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import insert, select, update
from sqlalchemy.orm import Session

from milestone.events.errors import UnknownEventType
from milestone.events.models import EventHead, EventRecord
from milestone.events.types import EVENT_TYPES
from milestone.registry.models import Owner, Vehicle

FEED_LIMIT = 1_000


@dataclass(frozen=True)
class Event:
    id: int
    type: str
    occurred_at: int
    data: dict[str, Any]


def canonical_json(value: object) -> str:
    """JSON with sorted keys and no spaces: the same bytes for the same value, every time."""
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def emit(session: Session, type: str, payload: dict[str, Any], *, at: int) -> int:
    """Write one event in the caller's transaction and return its id. No commit."""
    return emit_many(session, type, [payload], at=at)[-1]


def emit_many(
    session: Session, type: str, payloads: Sequence[dict[str, Any]], *, at: int
) -> list[int]:
    """Write one event per payload, in order, taking the head lock once. No commit."""
    if type not in EVENT_TYPES:
        raise UnknownEventType(f"no event type {type!r}")
    if not payloads:
        return []
    head = session.execute(
        select(EventHead.last_id).where(EventHead.id == 1).with_for_update()
    ).scalar_one()
    ids = list(range(head + 1, head + 1 + len(payloads)))
    session.execute(update(EventHead).where(EventHead.id == 1).values(last_id=ids[-1]))
    session.execute(
        insert(EventRecord),
        [
            {"id": id_, "type": type, "occurred_at": at, "payload": canonical_json(payload)}
            for id_, payload in zip(ids, payloads, strict=True)
        ],
    )
    return ids


def hex_of(value: bytes) -> str:
    return "0x" + bytes(value).hex()


def owner_address(session: Session, owner_id: int) -> str:
    """The owner as the outside world knows them: their pseudonymous address, in hex."""
    address = session.execute(select(Owner.address).where(Owner.id == owner_id)).scalar_one()
    assert address is not None  # set in the transaction that creates the owner
    return hex_of(address)


def owner_addresses(session: Session, owner_ids: Sequence[int]) -> dict[int, str]:
    """Several owners' addresses at once."""
    rows = session.execute(select(Owner.id, Owner.address).where(Owner.id.in_(set(owner_ids))))
    return {owner_id: hex_of(address) for owner_id, address in rows if address is not None}


def vehicle_refs(session: Session, vehicle_ids: Sequence[int]) -> dict[int, str]:
    """Vehicles as the explorer publishes them: the keccak-256 of the VIN, in hex."""
    rows = session.execute(
        select(Vehicle.id, Vehicle.vin_hash).where(Vehicle.id.in_(set(vehicle_ids)))
    )
    return {vehicle_id: hex_of(vin_hash) for vehicle_id, vin_hash in rows}


def last_event_id(session: Session) -> int:
    """The id of the newest committed event (0 before the first)."""
    return session.execute(select(EventHead.last_id).where(EventHead.id == 1)).scalar_one()


def events_after(
    session: Session, after: int, *, limit: int = FEED_LIMIT, types: Sequence[str] = ()
) -> list[Event]:
    """The events after id `after`, oldest first, at most `limit` (of `types`, if given)."""
    query = select(EventRecord).where(EventRecord.id > after)
    if types:
        query = query.where(EventRecord.type.in_(types))
    rows = session.execute(query.order_by(EventRecord.id).limit(limit)).scalars()
    return [as_event(row) for row in rows]


def as_event(row: EventRecord) -> Event:
    return Event(row.id, row.type, row.occurred_at, json.loads(row.payload))
