"""Bodies of the events feed and the webhook subscriptions."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Literal

from pydantic import BaseModel, Field

from milestone.api.schemas.common import MAX_ID, Instant
from milestone.events import EVENT_TYPES, Event
from milestone.events.subscriptions import MAX_URL_LENGTH, Subscription

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

URL_PATTERN = r"^https?://[A-Za-z0-9._~%!$&'()*+,;=:@\[\]-]+([/?#][!-~]*)?$"
r"""An http(s) URL in printable ASCII (IDN hosts in their punycode form). Spelled as ASCII
classes, not `\s`: what counts as whitespace differs between the regex engine that checks the
body (Rust's) and the generators that read the document, and the contract must mean one thing."""


class WebhookCreate(BaseModel):
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


class ReplayCreate(BaseModel):
    from_event: int | None = Field(default=None, ge=1, le=MAX_ID)
    """Send every delivery from this event on again; without it, only the dead ones."""


class ReplayPublic(BaseModel):
    replayed: int
