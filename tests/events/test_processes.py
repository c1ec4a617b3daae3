"""The dispatcher as a process: `milestone webhooks run`, and inside `milestone serve`.

The crash test runs `milestone webhooks run` as a real process, kills it with SIGKILL while a
delivery is in flight, and starts another: every event arrives, in order, and the only
duplicate is a re-send with the same `webhook-id`. The serve test measures an API route's
latency while `milestone serve`'s own dispatcher is stuck on a slow receiver.
"""

from __future__ import annotations

import json
import os
import signal
import statistics
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest
from standardwebhooks import Webhook
from typer.testing import CliRunner

from milestone.bench.receiver import Receiver
from milestone.bench.serving import free_port
from milestone.cli.main import app
from milestone.clock import SystemClock
from milestone.events import emit_many
from milestone.storage import Database

runner = CliRunner()
MILESTONE = str(Path(sys.executable).parent / "milestone")
STARTUP_SECONDS = 90


def cli(database_url: str, *args: str, code: int = 0) -> str:
    result = runner.invoke(app, ["webhooks", *args, "--database-url", database_url])
    assert result.exit_code == code, result.output
    return result.output


def emit_orders(database: Database, count: int) -> list[int]:
    payloads = [{"order_id": i, "stones": str(i)} for i in range(count)]
    return database.run(lambda s: emit_many(s, "order.placed", payloads, at=SystemClock().now()))


def test_run_once_delivers_what_is_pending_and_exits(
    database: Database, database_url: str, receiver: Receiver
) -> None:
    secret = json.loads(cli(database_url, "add", receiver.url, "--json"))["secret"]
    emit_orders(database, 3)
    assert json.loads(cli(database_url, "run", "--once", "--json")) == {
        "delivered": 3, "failed": 0, "dead": 0
    }
    assert len(receiver.received) == 3
    for got in receiver.received:
        Webhook(secret).verify(got.body, got.headers)
    assert json.loads(cli(database_url, "run", "--once", "--json"))["delivered"] == 0


def dispatcher_process(database_url: str, *args: str) -> subprocess.Popen[bytes]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("MILESTONE_")}
    env |= {"MILESTONE_WEBHOOKS_TIMEOUT_SECONDS": "5", "MILESTONE_WEBHOOKS_LEASE_SECONDS": "6",
            "MILESTONE_WEBHOOKS_POLL_SECONDS": "0.2", "MILESTONE_WEBHOOKS_BACKOFF_SECONDS": "1"}
    return subprocess.Popen(
        [MILESTONE, "webhooks", "run", *args, "--database-url", database_url], env=env,
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True,
    )


def wait_for(condition: object, seconds: float) -> None:
    deadline = time.monotonic() + seconds
    while not condition() and time.monotonic() < deadline:  # type: ignore[operator]
        time.sleep(0.05)
    assert condition(), "timed out"  # type: ignore[operator]


@pytest.mark.slow
def test_a_dispatcher_killed_mid_delivery_loses_nothing(
    database: Database, database_url: str, receiver: Receiver
) -> None:
    secret = json.loads(cli(database_url, "add", receiver.url, "--json"))["secret"]
    ids = emit_orders(database, 12)
    receiver.mode, receiver.delay = "slow", 1.0
    first = dispatcher_process(database_url)
    try:
        # Killed while the receiver holds its fourth delivery: sent, never recorded as sent.
        wait_for(lambda: receiver.started == 4, 60)
        os.killpg(first.pid, signal.SIGKILL)
    finally:
        first.wait(timeout=30)
    receiver.mode = "ok"
    second = dispatcher_process(database_url)
    try:
        wait_for(lambda: {f"evt_{i}" for i in ids} <= set(receiver.ids()), 60)
    finally:
        os.killpg(second.pid, signal.SIGTERM)
        second.wait(timeout=30)
    got = receiver.ids()
    assert list(dict.fromkeys(got)) == [f"evt_{i}" for i in ids]  # every one, in order
    duplicates = [i for n, i in enumerate(got) if i in got[:n]]
    assert duplicates == [f"evt_{ids[3]}"]  # the one in flight, again, under the same id
    bodies = {r.headers["webhook-id"]: r.body for r in receiver.received}
    for received in receiver.received:
        assert received.body == bodies[received.headers["webhook-id"]]
        Webhook(secret).verify(received.body, received.headers)


@pytest.mark.slow
@pytest.mark.parametrize("mode", ["slow", "fail"])
def test_a_slow_or_failing_receiver_does_not_slow_the_api(
    tmp_path: Path, receiver: Receiver, mode: str
) -> None:
    database_url = f"sqlite:///{tmp_path}/milestone.db"
    env = {k: v for k, v in os.environ.items() if not k.startswith("MILESTONE_")}
    env |= {"MILESTONE_WEBHOOKS_POLL_SECONDS": "0.1", "MILESTONE_WEBHOOKS_TIMEOUT_SECONDS": "5",
            "MILESTONE_WEBHOOKS_BACKOFF_SECONDS": "1",
            "MILESTONE_WEBHOOKS_BACKOFF_CAP_SECONDS": "1"}
    subprocess.run([MILESTONE, "init", "--preset", "minimal", "--data-dir", str(tmp_path)],
                   env=env, check=True, capture_output=True)
    port = free_port()
    server = subprocess.Popen(
        [MILESTONE, "serve", "--port", str(port), "--no-access-log", "--data-dir", str(tmp_path)],
        env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True,
    )
    try:
        base = f"http://127.0.0.1:{port}"
        wait_for(lambda: _answers(f"{base}/health"), STARTUP_SECONDS)
        with httpx.Client(base_url=base) as client:
            quiet = _latencies(client, 60)
            database = Database.from_url(database_url)
            cli(database_url, "add", receiver.url)
            receiver.mode, receiver.delay = mode, 3.0
            emit_orders(database, 200)
            wait_for(lambda: receiver.started >= 1, 30)
            busy = _latencies(client, 60)
            database.dispose()
        print(f"\nGET /api/v1/program p50 quiet {statistics.median(quiet) * 1e3:.1f} ms, "
              f"with a {mode} receiver {statistics.median(busy) * 1e3:.1f} ms")
        assert receiver.started >= 1 and len(receiver.received) < 200
        assert statistics.median(busy) < max(0.25, 5 * statistics.median(quiet))
        assert max(busy) < 2.0  # never once waited for the receiver (3 s a delivery)
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=30)


def _answers(url: str) -> bool:
    try:
        return httpx.get(url, timeout=2).status_code == 200
    except httpx.TransportError:
        return False


def _latencies(client: httpx.Client, count: int) -> list[float]:
    took = []
    for _ in range(count):
        start = time.perf_counter()
        assert client.get("/api/v1/program").status_code == 200
        took.append(time.perf_counter() - start)
    return took
