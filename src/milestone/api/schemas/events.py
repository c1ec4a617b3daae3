"""Bodies of the events feed and the webhook subscriptions."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Literal

from pydantic import BaseModel, Field

from milestone.api.schemas.common import Instant
from milestone.api.schemas.requests import IdIn, RequestModel
from milestone.events import EVENT_TYPES, Event
from milestone.events.subscriptions import MAX_URL_LENGTH, URL_PATTERN, DeadLetter, Subscription

if TYPE_CHECKING:
    EventType = str
else:  # the catalogue, as an enum in the OpenAPI document
    EventType = Literal[tuple(EVENT_TYPES)]


class EventPublic(BaseModel):
    id: int
    """The event's place in the outbox: pass it as `after` to read what came next."""
    type: EventType
    occurred_at: Instant
    data: dict[str, Any]
    """Owners by pseudonymous address, vehicles by VIN hash, amounts as strings of integers."""

    @classmethod
    def of(cls, event: Event) -> EventPublic:
        return cls(id=event.id, type=event.type, occurred_at=Instant.of(event.occurred_at),
                   data=event.data)


class EventPage(BaseModel):
    events: list[EventPublic]
    after: int
    """What to pass as `after` next time: the last event's id, or the cursor given."""


class WebhookCreate(RequestModel):
    url: str = Field(
        min_length=8, max_length=MAX_URL_LENGTH, pattern=URL_PATTERN,
        examples=["https://crm.example.com/milestone/webhooks"],
    )
    event_types: list[EventType] = Field(default_factory=list, max_length=len(EVENT_TYPES))
    """The types to deliver; empty means every type."""


class WebhookPublic(BaseModel):
    id: int
    url: str
    event_types: list[EventType]
    created_at: Instant
    pending: int
    delivered: int
    dead: int
    """Deliveries that failed too often; `POST .../replay` sends them again."""

    @classmethod
    def of(cls, subscription: Subscription) -> WebhookPublic:
        return cls(
            id=subscription.id, url=subscription.url, event_types=list(subscription.event_types),
            created_at=Instant.of(subscription.created_at), pending=subscription.pending,
            delivered=subscription.delivered, dead=subscription.dead,
        )


class WebhookSecretPublic(WebhookPublic):
    secret: str
    """The signing secret (`whsec_...`), shown this once: verify deliveries with it."""


class ReplayCreate(RequestModel):
    from_event: IdIn | None = None
    """Send every delivery from this event on again; without it, only the dead ones."""


class ReplayPublic(BaseModel):
    replayed: int


class DeadLetterPublic(BaseModel):
    """A delivery that failed too often; `POST /webhooks/{id}/replay` sends it again."""

    event_id: int
    type: EventType
    occurred_at: Instant
    attempts: int
    last_status: int | None
    """The receiver's last HTTP status; null when it did not answer (see `last_error`)."""
    last_error: str | None

    @classmethod
    def of(cls, letter: DeadLetter) -> DeadLetterPublic:
        return cls(
            event_id=letter.event_id, type=letter.type, occurred_at=Instant.of(letter.occurred_at),
            attempts=letter.attempts, last_status=letter.last_status, last_error=letter.last_error,
        )
