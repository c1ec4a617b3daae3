"""Events: the outbox every service writes to, its feed, and the webhooks that deliver it.

The outbox is the lowest service: it reads owners' and vehicles' published identifiers and
nothing else, so every other service may emit.
"""

from milestone.events.outbox import (
    Event,
    emit,
    emit_many,
    events_after,
    owner_address,
    owner_addresses,
    vehicle_refs,
)
from milestone.events.types import EVENT_TYPES

__all__ = [
    "EVENT_TYPES",
    "Event",
    "emit",
    "emit_many",
    "events_after",
    "owner_address",
    "owner_addresses",
    "vehicle_refs",
]
