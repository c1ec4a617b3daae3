"""A real uvicorn on loopback: a client that never finishes its headers is cut off in time."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator

import pytest
import uvicorn
from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

from milestone.api.slowclients import HEADER_TIMEOUT_ENV, HeaderDeadlineProtocol

DEADLINE = 1.0


async def hello(scope, receive, send) -> None:  # type: ignore[no-untyped-def]
    if scope["type"] != "http":
        return
    headers = [(b"content-length", b"5")]
    await send({"type": "http.response.start", "status": 200, "headers": headers})
    await send({"type": "http.response.body", "body": b"hello"})


def serving(protocol: type) -> Iterator[int]:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
    config = uvicorn.Config(
        hello, host="127.0.0.1", port=port, http=protocol, loop="asyncio", lifespan="off",
        log_level="warning", timeout_keep_alive=30,
    )
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    while not server.started:
        time.sleep(0.01)
    yield port
    server.should_exit = True
    thread.join(10)


@pytest.fixture
def guarded(monkeypatch: pytest.MonkeyPatch) -> Iterator[int]:
    monkeypatch.setenv(HEADER_TIMEOUT_ENV, str(DEADLINE))
    yield from serving(HeaderDeadlineProtocol)


@pytest.fixture
def unguarded() -> Iterator[int]:
    yield from serving(HttpToolsProtocol)


def half_a_request(port: int) -> socket.socket:
    client = socket.create_connection(("127.0.0.1", port))
    client.sendall(b"GET / HTTP/1.1\r\nHost: x\r\n")  # and never the blank line
    client.settimeout(DEADLINE * 4)
    return client


def test_headers_that_never_end_close_the_connection(guarded: int) -> None:
    with half_a_request(guarded) as client:
        started = time.monotonic()
        assert client.recv(1024) == b""  # closed by the server, nothing answered
        assert time.monotonic() - started < DEADLINE * 3


def test_without_the_deadline_uvicorn_keeps_the_connection(unguarded: int) -> None:
    with half_a_request(unguarded) as client:
        client.settimeout(DEADLINE * 2)
        with pytest.raises(TimeoutError):
            client.recv(1024)


def test_requests_in_time_are_answered_again_and_again(guarded: int) -> None:
    with socket.create_connection(("127.0.0.1", guarded)) as client:
        client.settimeout(DEADLINE * 4)
        for _ in range(3):  # each request on the kept-alive connection gets its own deadline
            time.sleep(DEADLINE * 0.6)
            client.sendall(b"GET / HTTP/1.1\r\nHost: x\r\n\r\n")
            answer = b""
            while not answer.endswith(b"hello"):
                chunk = client.recv(1024)
                assert chunk, f"closed after {answer!r}"
                answer += chunk
            assert answer.startswith(b"HTTP/1.1 200")
