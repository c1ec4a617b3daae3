"""How fast the dispatcher delivers: events/s to a loopback receiver, against a bare floor.

The outbox of a scratch database (SQLite in a temporary directory, or a scratch PostgreSQL
database) gets `events` events; the dispatcher delivers them to `subscriptions` receivers
until none is pending. The floor is the same signed POSTs sent by one client with no database
at all: the ratio says what the outbox, the leases and the per-delivery records cost. Every
delivery's signature is checked against the library's own signing afterwards.
"""

from __future__ import annotations

import tempfile
import time
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from functools import partial
from pathlib import Path
from typing import Any

import httpx
from sqlalchemy.orm import Session
from standardwebhooks import Webhook

from milestone.bench.receiver import Received, Receiver
from milestone.clock import SystemClock
from milestone.events import emit_many
from milestone.events.dispatcher import DispatchConfig, Dispatcher, Outgoing, signed_headers
from milestone.events.subscriptions import Subscription, add_subscription, new_secret
from milestone.storage import open_database, scratch

EMIT_BATCH = 500


@dataclass(frozen=True)
class WebhooksBench:
    backend: str
    events: int
    subscriptions: int
    record_every: int
    emit_events_per_s: int
    delivered: int
    delivered_per_s: int
    floor_posts_per_s: int
    delivered_over_floor: float
    verified: int

    def to_json(self) -> dict[str, Any]:
        return asdict(self)


def run_webhooks_bench(
    events: int, subscriptions: int, postgres: bool, record_every: int = 1
) -> WebhooksBench:
    """One run on a scratch database of the chosen backend."""
    if postgres:
        server = scratch.server_url()
        reason = scratch.unreachable_reason(server)
        if reason is not None:
            raise RuntimeError(reason)
        name = scratch.unique_name("milestone_bench")
        created = scratch.create_database(server, name)
        try:
            return _measure(created.render_as_string(hide_password=False), "postgresql", events,
                            subscriptions, record_every)
        finally:
            scratch.drop_database(server, name)
    with tempfile.TemporaryDirectory() as directory:
        return _measure(f"sqlite:///{Path(directory) / 'bench.db'}", "sqlite", events,
                        subscriptions, record_every)


def _measure(
    url: str, backend: str, events: int, subscriptions: int, record_every: int
) -> WebhooksBench:
    database = open_database(url)
    clock = SystemClock()
    receivers = [Receiver(keep_alive=True).start() for _ in range(subscriptions)]
    try:
        secrets = [
            database.run(partial(_subscribe, url=r.url))[1] for r in receivers
        ]
        started = time.perf_counter()
        for first in range(0, events, EMIT_BATCH):
            count = min(EMIT_BATCH, events - first)
            payloads = [{"order_id": first + i, "stones": str(first + i)} for i in range(count)]
            database.run(partial(emit_many, type="order.placed", payloads=payloads,
                                 at=clock.now()))
        emit_seconds = time.perf_counter() - started
        config = DispatchConfig(concurrency=subscriptions, batch=1_000, record_every=record_every)
        dispatcher = Dispatcher(database, clock, config)
        started = time.perf_counter()
        delivered = 0
        try:
            while delivered < events * subscriptions:
                done = dispatcher.run_once().delivered
                if done == 0:
                    break
                delivered += done
        finally:
            dispatcher.close()
        deliver_seconds = time.perf_counter() - started
        verified = sum(
            1 for receiver, secret in zip(receivers, secrets, strict=True)
            for got in receiver.received if signed_by(secret, got)
        )
        floor = _floor(receivers[0], min(events, 2_000))
    finally:
        for receiver in receivers:
            receiver.stop()
        database.dispose()
    rate = delivered / deliver_seconds
    return WebhooksBench(
        backend=backend, events=events, subscriptions=subscriptions, record_every=record_every,
        emit_events_per_s=round(events / emit_seconds), delivered=delivered,
        delivered_per_s=round(rate), floor_posts_per_s=round(floor),
        delivered_over_floor=round(rate / floor, 3), verified=verified,
    )


def signed_by(secret: str, got: Received) -> bool:
    """The library's own signature over what arrived, without `verify`'s five-minute window
    (a long run on a busy machine outlasts it; the tests use `verify` itself)."""
    at = datetime.fromtimestamp(int(got.headers["webhook-timestamp"]), UTC)
    expected = Webhook(secret).sign(got.headers["webhook-id"], at, got.body)
    return expected in got.headers["webhook-signature"].split(" ")


def _subscribe(session: Session, url: str) -> tuple[Subscription, str]:
    return add_subscription(session, SystemClock(), url)


def _floor(receiver: Receiver, count: int) -> float:
    """Signed POSTs per second from one client to the same receiver, no database at all."""
    outgoing = Outgoing(0, 1, receiver.url, new_secret(), b'{"data":{},"type":"x"}', 0)
    clock = SystemClock()
    with httpx.Client() as client:
        started = time.perf_counter()
        for _ in range(count):
            client.post(receiver.url, content=outgoing.body,
                        headers=signed_headers(outgoing, clock.now()))
        return count / (time.perf_counter() - started)
