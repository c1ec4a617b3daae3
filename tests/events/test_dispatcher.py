"""The dispatcher against a real HTTP receiver on loopback.

Signatures verify with the `standardwebhooks` library's own `Webhook.verify`; a receiver that
is down, then up, gets every event in order; a failing one makes deliveries dead after the
configured attempts, and a replay brings them; two dispatchers never send one delivery twice.
"""

from __future__ import annotations

import json
import threading
import time

import pytest
from standardwebhooks import Webhook

from milestone.bench.receiver import Receiver
from milestone.clock import SystemClock
from milestone.events import emit_many
from milestone.events.dispatcher import DispatchConfig, Dispatcher
from milestone.events.subscriptions import (
    add_subscription,
    dead_letters,
    list_subscriptions,
    replay_subscription,
)
from milestone.storage import Database

CLOCK = SystemClock()
FAST = DispatchConfig(max_attempts=3, backoff_seconds=1, backoff_cap_seconds=1,
                      timeout_seconds=2, lease_seconds=5)


def subscribe(database: Database, url: str, types: tuple[str, ...] = ()) -> tuple[int, str]:
    subscription, secret = database.run(lambda s: add_subscription(s, CLOCK, url, types))
    return subscription.id, secret


def emit_orders(database: Database, count: int, start: int = 0) -> list[int]:
    payloads = [{"order_id": start + i, "stones": str(10 * (start + i))} for i in range(count)]
    return database.run(lambda s: emit_many(s, "order.placed", payloads, at=CLOCK.now()))


def dispatch(database: Database, config: DispatchConfig = FAST) -> int:
    dispatcher = Dispatcher(database, CLOCK, config)
    try:
        return dispatcher.run_once().delivered
    finally:
        dispatcher.close()


def deliver_until(database: Database, done: object, seconds: float = 30.0) -> None:
    """Run passes (as `milestone webhooks run` does) until `done()` or the time is up."""
    dispatcher = Dispatcher(database, CLOCK, FAST)
    try:
        deadline = time.monotonic() + seconds
        while not done() and time.monotonic() < deadline:  # type: ignore[operator]
            dispatcher.run_once()
            time.sleep(0.2)
    finally:
        dispatcher.close()


def test_deliveries_verify_with_the_library_and_carry_the_event(
    database: Database, receiver: Receiver
) -> None:
    _, secret = subscribe(database, receiver.url)
    ids = emit_orders(database, 3)
    assert dispatch(database) == 3
    verifier = Webhook(secret)
    bodies = [verifier.verify(r.body, r.headers) for r in receiver.received]
    assert [b["data"]["order_id"] for b in bodies] == [0, 1, 2]
    assert {b["type"] for b in bodies} == {"order.placed"}
    assert receiver.ids() == [f"evt_{i}" for i in ids]
    assert bodies[1]["data"]["stones"] == "10"  # amounts travel as strings


def test_a_forged_or_tampered_delivery_does_not_verify(
    database: Database, receiver: Receiver
) -> None:
    subscribe(database, receiver.url)
    emit_orders(database, 1)
    dispatch(database)
    (got,) = receiver.received
    other = Webhook("whsec_" + "QUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUE=")
    with pytest.raises(Exception, match="signature"):
        other.verify(got.body, got.headers)


def test_a_subscription_gets_only_its_types(database: Database, receiver: Receiver) -> None:
    subscribe(database, receiver.url, ("order.refunded",))
    emit_orders(database, 2)
    database.run(lambda s: emit_many(s, "order.refunded", [{"order_id": 1}], at=0))
    dispatch(database)
    assert [json.loads(r.body)["type"] for r in receiver.received] == ["order.refunded"]


def test_a_receiver_down_then_up_gets_every_event_in_order(
    database: Database, receiver: Receiver
) -> None:
    _, secret = subscribe(database, receiver.url)
    receiver.stop()
    ids = emit_orders(database, 5)
    assert dispatch(database) == 0  # refused: the first delivery waits, nothing overtakes it
    receiver.start()
    more = emit_orders(database, 5, start=5)
    deliver_until(database, lambda: len(receiver.received) >= 10)
    assert receiver.ids() == [f"evt_{i}" for i in ids + more]
    for got in receiver.received:
        Webhook(secret).verify(got.body, got.headers)


def test_a_failing_receiver_makes_deliveries_dead_and_a_replay_brings_them(
    database: Database, receiver: Receiver
) -> None:
    subscription_id, _ = subscribe(database, receiver.url)
    receiver.mode = "fail"
    ids = emit_orders(database, 2)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        dispatch(database)
        with database.session() as session:
            (state,) = list_subscriptions(session)
        if state.dead == 2:
            break
        time.sleep(0.3)
    assert (state.dead, state.delivered, state.pending) == (2, 0, 0)
    with database.session() as session:
        letters = dead_letters(session, subscription_id)
    assert [(d.event_id, d.type, d.attempts, d.last_status) for d in letters] == [
        (i, "order.placed", FAST.max_attempts, 500) for i in ids
    ]
    receiver.mode = "ok"
    assert database.run(lambda s: replay_subscription(s, CLOCK, subscription_id)) == 2
    assert dispatch(database) == 2
    assert receiver.ids() == [f"evt_{i}" for i in ids]
    with database.session() as session:
        (state,) = list_subscriptions(session)
    assert (state.dead, state.delivered) == (0, 2)
    with database.session() as session:
        assert dead_letters(session, subscription_id) == []


def test_a_replay_from_an_event_sends_delivered_ones_again_with_the_same_id(
    database: Database, receiver: Receiver
) -> None:
    subscription_id, _ = subscribe(database, receiver.url)
    ids = emit_orders(database, 3)
    dispatch(database)
    database.run(lambda s: replay_subscription(s, CLOCK, subscription_id, from_event=ids[1]))
    dispatch(database)
    assert receiver.ids() == [f"evt_{i}" for i in ids + ids[1:]]


def test_two_dispatchers_never_send_a_delivery_twice(
    database: Database, receiver: Receiver
) -> None:
    for n in range(3):
        subscribe(database, f"{receiver.url}/{n}")
    ids = emit_orders(database, 20)
    results: list[int] = []
    threads = [threading.Thread(target=lambda: results.append(dispatch(database)))
               for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    deliver_until(database, lambda: len(receiver.received) >= 60)
    per_subscription: dict[str, list[str]] = {}
    for got in receiver.received:
        per_subscription.setdefault(got.path, []).append(got.headers["webhook-id"])
    assert sum(results) == 60  # every delivery sent by exactly one of the two
    assert sorted(per_subscription) == [f"/hooks/{n}" for n in range(3)]
    for sent in per_subscription.values():
        assert sent == [f"evt_{i}" for i in ids]
