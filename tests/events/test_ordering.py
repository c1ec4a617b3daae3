"""The dispatcher's invariant under any pattern of receiver failures: per subscription, every
event is accepted exactly once, in event order, and a dead delivery is the only gap.

A property test: hypothesis draws each receiver's answers (up, 500, or no answer) and the
events; the receivers are an in-process transport (`httpx.MockTransport`) so that hundreds of
examples run in seconds. The same behaviour against a real loopback server is
test_dispatcher.py's.
"""

from __future__ import annotations

import json
from collections.abc import Callable

import httpx
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from milestone.clock import ManualClock
from milestone.events import emit_many
from milestone.events.dispatcher import DispatchConfig, Dispatcher
from milestone.events.subscriptions import add_subscription, list_subscriptions
from milestone.storage import Database

ANSWERS = st.sampled_from([204, 200, 500, 503, 0])  # 0: the connection fails
CLOCK_START = 1_767_225_600


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    answers=st.lists(st.lists(ANSWERS, max_size=40), min_size=1, max_size=3),
    events=st.lists(st.integers(1, 4), min_size=1, max_size=5),
    max_attempts=st.integers(1, 4),
)
def test_every_event_is_accepted_once_and_in_order_or_is_dead(
    database: Database, reset_database: Callable[[], None],
    answers: list[list[int]], events: list[int], max_attempts: int,
) -> None:
    reset_database()
    clock = ManualClock(CLOCK_START)
    scripts = {f"/{n}": list(script) for n, script in enumerate(answers)}
    accepted: dict[str, list[int]] = {path: [] for path in scripts}

    def receive(request: httpx.Request) -> httpx.Response:
        script = scripts[request.url.path]
        answer = script.pop(0) if script else 204  # in the end every receiver comes back up
        if answer == 0:
            raise httpx.ConnectError("refused", request=request)
        if answer < 300:
            accepted[request.url.path].append(int(request.headers["webhook-id"][4:]))
        return httpx.Response(answer)

    for path in scripts:
        database.run(lambda s, p=path: add_subscription(s, clock, f"http://receiver{p}"))
    ids: list[int] = []
    for size in events:
        ids += database.run(
            lambda s, n=size: emit_many(s, "order.placed", [{}] * n, at=clock.now())
        )
    config = DispatchConfig(max_attempts=max_attempts, backoff_seconds=1, backoff_cap_seconds=4,
                            timeout_seconds=1, lease_seconds=5, concurrency=2)
    with httpx.Client(transport=httpx.MockTransport(receive)) as client:
        dispatcher = Dispatcher(database, clock, config, client=client)
        try:
            for _ in range(200):
                dispatcher.run_once()
                clock.advance(5)
        finally:
            dispatcher.close()
    with database.session() as session:
        states = {json.dumps(s.url): s for s in list_subscriptions(session)}
    for path, got in accepted.items():
        state = states[json.dumps(f"http://receiver{path}")]
        assert state.pending == 0
        assert len(got) == len(set(got)) == state.delivered  # once each
        assert got == sorted(got)  # in event order
        assert state.delivered + state.dead == len(ids)  # nothing lost: dead is the only gap
