"""Webhook subscriptions: where the operator wants events delivered, and manual replay.

A subscription starts after the newest event at its creation: a new receiver is not flooded
with history (the feed serves that). Its secret is made here, shown once at creation and kept
in clear, since every delivery is signed with it.
"""

from __future__ import annotations

import base64
import json
import re
import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Final
from urllib.parse import urlsplit

from sqlalchemy import delete, func, select, update
from sqlalchemy.orm import Session

from milestone.clock import Clock
from milestone.events.errors import InvalidWebhookUrl, UnknownEventType, UnknownSubscription
from milestone.events.models import EventRecord, WebhookDelivery, WebhookSubscription
from milestone.events.outbox import last_event_id
from milestone.events.types import EVENT_TYPES

DEAD_LETTERS_LIMIT: Final[int] = 500
SECRET_PREFIX: Final[str] = "whsec_"
SECRET_BYTES: Final[int] = 32
MAX_URL_LENGTH: Final[int] = 2048
URL_PATTERN: Final[str] = (
    r"^https?://[A-Za-z0-9._~%!$&'()*+,;=-]+"
    r"(?::(?:[0-9]{1,4}|[1-5][0-9]{4}|6[0-4][0-9]{3}|65[0-4][0-9]{2}|655[0-2][0-9]|6553[0-5]))?"
    r"(?:[/?#][!-~]*)?$"
)
"""http(s), a host name or IPv4 address (RFC 3986's registered-name characters, ASCII), an
optional port, then printable ASCII (anything else percent-encoded, as RFC 3986 writes a
URL; not "any non-space": Python and the schema's Rust regex disagree on Unicode spaces). No user
name or password in the URL (the signature is the receiver's proof), no IPv6 literal: the
API's schema says the same."""
PENDING, DELIVERED, DEAD = "pending", "delivered", "dead"


@dataclass(frozen=True)
class Subscription:
    id: int
    url: str
    event_types: tuple[str, ...]
    created_at: int
    pending: int
    delivered: int
    dead: int


@dataclass(frozen=True)
class DeadLetter:
    """A delivery that failed too often: the event it carried and how its last try went."""

    event_id: int
    type: str
    occurred_at: int
    attempts: int
    last_status: int | None
    last_error: str | None


def new_secret() -> str:
    """A Standard Webhooks secret: `whsec_` and 32 random bytes in base64."""
    return SECRET_PREFIX + base64.b64encode(secrets.token_bytes(SECRET_BYTES)).decode()


def check_url(url: str) -> str:
    """An absolute http(s) URL with a host, at most 2,048 characters."""
    parts = None
    if isinstance(url, str) and len(url) <= MAX_URL_LENGTH and re.fullmatch(URL_PATTERN, url):
        try:
            parts = urlsplit(url)
        except ValueError:  # what urlsplit itself refuses
            parts = None
    if parts is None or parts.scheme not in ("http", "https") or not parts.hostname:
        raise InvalidWebhookUrl(
            f"a webhook URL is http:// or https:// with a host, at most {MAX_URL_LENGTH} "
            f"characters: {str(url)[:100]!r}"
        )
    return url


def check_event_types(types: Sequence[str]) -> tuple[str, ...]:
    """The types without repeats, each one known; none means every type."""
    unknown = [t for t in types if t not in EVENT_TYPES]
    if unknown:
        raise UnknownEventType(
            f"no event type {unknown[0]!r}; the types are {', '.join(EVENT_TYPES)}",
            event_type=unknown[0],
        )
    return tuple(dict.fromkeys(types))


def add_subscription(
    session: Session, clock: Clock, url: str, event_types: Sequence[str] = ()
) -> tuple[Subscription, str]:
    """A new subscription and its signing secret (shown this once). No commit."""
    row = WebhookSubscription(
        url=check_url(url), event_types=json.dumps(list(check_event_types(event_types))),
        secret=new_secret(), created_at=clock.now(), enqueued_through=last_event_id(session),
    )
    session.add(row)
    session.flush()
    return describe(session, row), row.secret


def get_subscription(session: Session, subscription_id: int) -> WebhookSubscription:
    row = session.get(WebhookSubscription, subscription_id)
    if row is None:
        raise UnknownSubscription(
            f"no webhook subscription {subscription_id}", subscription_id=subscription_id
        )
    return row


def list_subscriptions(session: Session) -> list[Subscription]:
    rows = session.execute(select(WebhookSubscription).order_by(WebhookSubscription.id)).scalars()
    return [describe(session, row) for row in rows]


def remove_subscription(session: Session, subscription_id: int) -> None:
    """Stop delivering to it and forget its deliveries. No commit."""
    row = get_subscription(session, subscription_id)
    session.execute(
        delete(WebhookDelivery).where(
            WebhookDelivery.subscription_id == subscription_id
        )
    )
    session.delete(row)
    session.flush()


def replay_subscription(
    session: Session, clock: Clock, subscription_id: int, *, from_event: int | None = None
) -> int:
    """Send again: the dead deliveries, or every delivery from event `from_event` on.

    Replayed deliveries keep their `webhook-id`, so a receiver that already has one can tell.
    They go out before any later event (the dispatcher always sends the oldest pending first).
    Returns how many deliveries are pending again. No commit.
    """
    get_subscription(session, subscription_id)
    query = update(WebhookDelivery).where(WebhookDelivery.subscription_id == subscription_id)
    if from_event is None:
        query = query.where(WebhookDelivery.status == DEAD)
    else:
        query = query.where(WebhookDelivery.event_id >= from_event)
    result = session.execute(
        query.values(status=PENDING, attempts=0, next_attempt_at=clock.now(), last_error=None)
    )
    return int(result.rowcount)  # type: ignore[attr-defined]


def dead_letters(
    session: Session, subscription_id: int, *, limit: int = DEAD_LETTERS_LIMIT
) -> list[DeadLetter]:
    """The subscription's dead deliveries, oldest event first, at most `limit`: what a replay
    would send again."""
    get_subscription(session, subscription_id)
    rows = session.execute(
        select(WebhookDelivery.event_id, EventRecord.type, EventRecord.occurred_at,
               WebhookDelivery.attempts, WebhookDelivery.last_status, WebhookDelivery.last_error)
        .join(EventRecord, EventRecord.id == WebhookDelivery.event_id)
        .where(WebhookDelivery.subscription_id == subscription_id, WebhookDelivery.status == DEAD)
        .order_by(WebhookDelivery.event_id)
        .limit(max(1, min(limit, DEAD_LETTERS_LIMIT)))
    )
    return [DeadLetter(*row) for row in rows]


def describe(session: Session, row: WebhookSubscription) -> Subscription:
    rows = session.execute(
        select(WebhookDelivery.status, func.count())
        .where(WebhookDelivery.subscription_id == row.id)
        .group_by(WebhookDelivery.status)
    )
    counts = {status: int(count) for status, count in rows}
    return Subscription(
        id=row.id, url=row.url, event_types=tuple(json.loads(row.event_types)),
        created_at=row.created_at, pending=counts.get(PENDING, 0),
        delivered=counts.get(DELIVERED, 0), dead=counts.get(DEAD, 0),
    )
