"""The dispatcher: delivers the outbox to each subscription under Standard Webhooks.

Per subscription, deliveries go out one at a time and in event order: the oldest pending
delivery is sent, and until it succeeds (or goes dead after `max_attempts` failures) nothing
later is sent to that receiver. Each failure waits a backoff with jitter (`backoff.py`).

Several dispatchers (the `milestone serve` workers, `milestone webhooks run` processes) share
the work through a lease on the subscription row: a dispatcher claims subscriptions in a short
transaction (`FOR UPDATE SKIP LOCKED` on PostgreSQL, so claimers never wait on each other;
SQLite's one writer serializes claims), then sends with no transaction open, and records each
answer in its own short transaction. A dispatcher killed mid-delivery leaves its lease to
expire; whoever claims next sends the same delivery again with the same `webhook-id`, so a
receiver sees a duplicate at worst, never a loss.
"""

from __future__ import annotations

import json
import logging
import os
import socket
import threading
from collections.abc import Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Final

import httpx
from sqlalchemy import and_, exists, insert, or_, select, update
from sqlalchemy.orm import Session
from standardwebhooks import Webhook

from milestone.clock import Clock
from milestone.events.backoff import retry_delay
from milestone.events.models import EventRecord, WebhookDelivery, WebhookSubscription
from milestone.events.outbox import canonical_json, last_event_id
from milestone.events.subscriptions import DEAD, DELIVERED, PENDING
from milestone.settings import Settings
from milestone.storage import Database

log = logging.getLogger(__name__)

ENQUEUE_WINDOW: Final[int] = 10_000
"""Event ids a subscription's pass scans for matches at most, so one pass stays short."""
USER_AGENT: Final[str] = "milestone-webhooks/1"
ERROR_LENGTH: Final[int] = 300


@dataclass(frozen=True)
class DispatchConfig:
    """How hard to try: the settings `MILESTONE_WEBHOOKS_*` (docs/webhooks.md)."""

    max_attempts: int = 8
    backoff_seconds: int = 5
    backoff_cap_seconds: int = 3_600
    timeout_seconds: float = 10.0
    lease_seconds: int = 60
    batch: int = 100
    concurrency: int = 4
    record_every: int = 1
    """Deliveries recorded per transaction. 1: a crash re-sends at most the one in flight;
    n: up to n, faster (one commit for n deliveries; each re-send keeps its webhook-id)."""

    def __post_init__(self) -> None:
        if self.lease_seconds <= self.timeout_seconds:
            raise ValueError("a lease must outlast one delivery's timeout")


@dataclass
class Tally:
    """What a pass did."""

    delivered: int = 0
    failed: int = 0
    dead: int = 0

    def add(self, other: Tally) -> None:
        self.delivered += other.delivered
        self.failed += other.failed
        self.dead += other.dead


@dataclass(frozen=True)
class Outgoing:
    """One delivery ready to send."""

    subscription_id: int
    event_id: int
    url: str
    secret: str
    body: bytes
    attempts: int


@dataclass(frozen=True)
class Sent:
    """An attempt made: the receiver's status (None: no answer) and what went wrong."""

    outgoing: Outgoing
    status: int | None
    error: str | None


def message_id(event_id: int) -> str:
    """The `webhook-id` of an event: the same on every attempt and every replay."""
    return f"evt_{event_id}"


def message_body(event: EventRecord) -> bytes:
    """The Standard Webhooks payload shape: type, timestamp, data; the same bytes every time."""
    timestamp = datetime.fromtimestamp(event.occurred_at, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    envelope = {"type": event.type, "timestamp": timestamp, "data": json.loads(event.payload)}
    return canonical_json(envelope).encode()


def signed_headers(outgoing: Outgoing, now: int) -> dict[str, str]:
    msg_id = message_id(outgoing.event_id)
    at = datetime.fromtimestamp(now, UTC)
    signature = Webhook(outgoing.secret).sign(msg_id, at, outgoing.body)
    return {
        "webhook-id": msg_id, "webhook-timestamp": str(now), "webhook-signature": signature,
        "content-type": "application/json", "user-agent": USER_AGENT,
    }


@dataclass
class Dispatcher:
    """Delivers pending events; `run_once` for a pass, `run` until told to stop."""

    database: Database
    clock: Clock
    config: DispatchConfig = field(default_factory=DispatchConfig)
    client: httpx.Client | None = None
    worker: str = field(default_factory=lambda: f"{socket.gethostname()}:{os.getpid()}")

    def __post_init__(self) -> None:
        self.worker = f"{self.worker}:{id(self):x}"[-64:]
        self._owns_client = self.client is None
        self._client = self.client or httpx.Client(
            timeout=self.config.timeout_seconds, follow_redirects=False,
            limits=httpx.Limits(max_connections=max(8, self.config.concurrency * 2)),
        )
        self._pool = ThreadPoolExecutor(self.config.concurrency, thread_name_prefix="webhooks")
        self._stop = threading.Event()

    def close(self) -> None:
        """Stop after the deliveries in flight (each bounded by the timeout)."""
        self._stop.set()
        self._pool.shutdown(wait=True)
        if self._owns_client:
            self._client.close()

    def run(self, stop: threading.Event, poll_seconds: float = 1.0) -> None:
        """Deliver until `stop` is set, resting `poll_seconds` whenever nothing is due."""
        self._stop = stop
        while not stop.is_set():
            try:
                tally = self.run_once(stop)
            except Exception:  # a database hiccup must not end the dispatcher: log and retry
                log.exception("webhooks: dispatch pass failed")
                tally = Tally()
            if tally.delivered == 0:
                stop.wait(poll_seconds)

    def run_once(self, stop: threading.Event | None = None) -> Tally:
        """Deliver everything due now, then return (what `milestone webhooks run --once` does)."""
        total, tried = Tally(), set[int]()
        while not (self._stop.is_set() or (stop is not None and stop.is_set())):
            claimed = self.database.run(lambda s: self._claim(s, tried))
            if not claimed:
                return total
            for subscription_id, tally, exhausted in self._pool.map(self._serve, claimed):
                total.add(tally)
                if exhausted:
                    tried.add(subscription_id)
        return total

    def _claim(self, session: Session, tried: Iterable[int]) -> list[int]:
        """Lease the subscriptions that have work, up to `concurrency`. No commit."""
        now = self.clock.now()
        due = exists().where(
            WebhookDelivery.subscription_id == WebhookSubscription.id,
            WebhookDelivery.status == PENDING, WebhookDelivery.next_attempt_at <= now,
        )
        query = (
            select(WebhookSubscription)
            .where(or_(WebhookSubscription.lease_until.is_(None),
                       WebhookSubscription.lease_until < now))
            .where(or_(WebhookSubscription.enqueued_through < last_event_id(session), due))
            .where(WebhookSubscription.id.not_in(list(tried)))
            .order_by(WebhookSubscription.id)
            .limit(self.config.concurrency)
        )
        if self.database.dialect == "postgresql":
            query = query.with_for_update(skip_locked=True)
        rows = list(session.execute(query).scalars())
        for row in rows:
            row.lease_owner, row.lease_until = self.worker, now + self.config.lease_seconds
        session.flush()
        return [row.id for row in rows]

    def _serve(self, subscription_id: int) -> tuple[int, Tally, bool]:
        """Deliver one claimed subscription's due events in order; True when it has no more
        to give in this pass (caught up, waiting on a retry, stopping, or its lease lost)."""
        tally = Tally()
        try:
            self.database.run(lambda s: self._enqueue(s, subscription_id))
            due = self._due(subscription_id)
            exhausted = len(due) < self.config.batch
            sent: list[Sent] = []
            for outgoing in due:
                if self._stop.is_set():
                    exhausted = True
                    break
                sent.append(Sent(outgoing, *self._send(outgoing)))
                if sent[-1].error is not None:
                    break  # the head waits for its retry: nothing later goes before it
                if len(sent) == self.config.record_every:
                    self._record_all(sent, tally)
                    sent = []
            if sent:
                last = self._record_all(sent, tally)
                exhausted = exhausted or last == PENDING
            return subscription_id, tally, exhausted
        finally:
            self.database.run(lambda s: self._release(s, subscription_id))

    def _record_all(self, sent: list[Sent], tally: Tally) -> str:
        """Record a run of attempts in one transaction; the last one's new status."""
        outcomes = self.database.run(lambda s: [self._record(s, attempt) for attempt in sent])
        for outcome in outcomes:
            tally.delivered += outcome == DELIVERED
            tally.failed += outcome != DELIVERED
            tally.dead += outcome == DEAD
        return outcomes[-1]

    def _enqueue(self, session: Session, subscription_id: int) -> None:
        """A pending delivery for each matching event the subscription has not seen. No commit."""
        row = session.get(WebhookSubscription, subscription_id, with_for_update=True)
        if row is None or row.lease_owner != self.worker:
            return
        through = min(last_event_id(session), row.enqueued_through + ENQUEUE_WINDOW)
        if through <= row.enqueued_through:
            return
        query = select(EventRecord.id).where(
            EventRecord.id > row.enqueued_through, EventRecord.id <= through
        )
        types = json.loads(row.event_types)
        if types:
            query = query.where(EventRecord.type.in_(types))
        now = self.clock.now()
        ids = list(session.execute(query.order_by(EventRecord.id)).scalars())
        if ids:
            session.execute(insert(WebhookDelivery), [
                {"subscription_id": subscription_id, "event_id": event_id, "status": PENDING,
                 "attempts": 0, "next_attempt_at": now} for event_id in ids
            ])
        row.enqueued_through = through
        session.flush()

    def _due(self, subscription_id: int) -> list[Outgoing]:
        """The oldest pending deliveries, up to the first not yet due (none overtakes it)."""
        now = self.clock.now()
        with self.database.session() as session:
            rows = session.execute(
                select(WebhookDelivery, EventRecord, WebhookSubscription)
                .join(EventRecord, EventRecord.id == WebhookDelivery.event_id)
                .join(WebhookSubscription,
                      WebhookSubscription.id == WebhookDelivery.subscription_id)
                .where(WebhookDelivery.subscription_id == subscription_id,
                       WebhookDelivery.status == PENDING,
                       WebhookSubscription.lease_owner == self.worker)
                .order_by(WebhookDelivery.event_id)
                .limit(self.config.batch)
            ).all()
            due = []
            for delivery, event, subscription in rows:
                if delivery.next_attempt_at > now:
                    break
                due.append(Outgoing(
                    subscription_id, event.id, subscription.url, subscription.secret,
                    message_body(event), delivery.attempts,
                ))
            return due

    def _send(self, outgoing: Outgoing) -> tuple[int | None, str | None]:
        """POST it; the receiver's status (None if it did not answer) and what went wrong."""
        try:
            response = self._client.post(
                outgoing.url, content=outgoing.body,
                headers=signed_headers(outgoing, self.clock.now()),
            )
        except httpx.HTTPError as error:
            return None, f"{type(error).__name__}: {error}"[:ERROR_LENGTH]
        if 200 <= response.status_code < 300:
            return response.status_code, None
        return response.status_code, f"HTTP {response.status_code}"

    def _record(self, session: Session, attempt: Sent) -> str:
        """Write the attempt's outcome and extend the lease; returns the new status. No commit."""
        outgoing, status, error = attempt.outgoing, attempt.status, attempt.error
        now = self.clock.now()
        where = and_(WebhookDelivery.subscription_id == outgoing.subscription_id,
                     WebhookDelivery.event_id == outgoing.event_id,
                     WebhookDelivery.status == PENDING)
        attempts = outgoing.attempts + 1
        if error is None:
            values: dict[str, object] = {"status": DELIVERED, "delivered_at": now}
            outcome = DELIVERED
        elif attempts >= self.config.max_attempts:
            values, outcome = {"status": DEAD}, DEAD
        else:
            delay = retry_delay(attempts, self.config.backoff_seconds,
                                self.config.backoff_cap_seconds)
            values, outcome = {"next_attempt_at": now + delay}, PENDING
        session.execute(
            update(WebhookDelivery).where(where).values(
                attempts=attempts, last_status=status, last_error=error, **values
            )
        )
        session.execute(
            update(WebhookSubscription)
            .where(WebhookSubscription.id == outgoing.subscription_id,
                   WebhookSubscription.lease_owner == self.worker)
            .values(lease_until=now + self.config.lease_seconds)
        )
        return outcome

    def _release(self, session: Session, subscription_id: int) -> None:
        session.execute(
            update(WebhookSubscription)
            .where(WebhookSubscription.id == subscription_id,
                   WebhookSubscription.lease_owner == self.worker)
            .values(lease_owner=None, lease_until=None)
        )


def dispatcher_thread(dispatcher: Dispatcher, poll_seconds: float) -> tuple[threading.Thread,
                                                                              threading.Event]:
    """The dispatcher on a daemon thread (inside `milestone serve`), and the event that stops it."""
    stop = threading.Event()
    thread = threading.Thread(
        target=dispatcher.run, args=(stop, poll_seconds), name="webhooks-dispatcher", daemon=True
    )
    thread.start()
    return thread, stop


def config_of(settings: Settings) -> DispatchConfig:
    """The dispatcher's configuration from `MILESTONE_WEBHOOKS_*`."""
    return DispatchConfig(
        max_attempts=settings.webhooks_max_attempts,
        backoff_seconds=settings.webhooks_backoff_seconds,
        backoff_cap_seconds=settings.webhooks_backoff_cap_seconds,
        timeout_seconds=settings.webhooks_timeout_seconds,
        record_every=settings.webhooks_record_every,
        lease_seconds=max(settings.webhooks_lease_seconds,
                          int(settings.webhooks_timeout_seconds) + 1),
    )
