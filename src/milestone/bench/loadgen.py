"""A small HTTP/1.1 load generator for loopback benchmarks: keep-alive connections, each sending
its next request as soon as the previous answer arrived (a closed loop), for a fixed time.

Written on asyncio streams (under uvloop) rather than an HTTP client library so that the
generator spends as little of the machine as possible: a request is prepared bytes, an answer
is one header read and one body read. Latency is measured from writing the request to reading
the last byte of its answer.
"""

from __future__ import annotations

import asyncio
import time
from collections import Counter
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

import uvloop

MAX_HEADER_BYTES = 64 * 1024


@dataclass
class LoadResult:
    """What a run measured: how many answers, of which status, and how long each took."""

    seconds: float
    latencies: list[float] = field(default_factory=list)
    """Seconds per answered request, in the order answered."""
    statuses: Counter[int] = field(default_factory=Counter)
    bodies: list[bytes] = field(default_factory=list)
    """The answers' bodies, when the run was asked to keep them."""
    transport_errors: int = 0

    @property
    def requests(self) -> int:
        return len(self.latencies)

    @property
    def ok(self) -> int:
        return sum(count for status, count in self.statuses.items() if 200 <= status < 300)

    @property
    def rate(self) -> float:
        return self.requests / self.seconds if self.seconds else 0.0

    def percentile_ms(self, fraction: float) -> float:
        """The latency below which `fraction` of the requests answered (nearest rank)."""
        if not self.latencies:
            return 0.0
        ordered = sorted(self.latencies)
        rank = min(len(ordered) - 1, max(0, round(fraction * len(ordered)) - 1))
        return ordered[rank] * 1000


def build_request(
    method: str, path: str, host: str, headers: dict[str, str] | None = None,
    body: bytes = b"",
) -> bytes:
    """The bytes of one HTTP/1.1 keep-alive request."""
    lines = [f"{method} {path} HTTP/1.1", f"Host: {host}", "Connection: keep-alive"]
    lines += [f"{name}: {value}" for name, value in (headers or {}).items()]
    if body or method in ("POST", "PUT", "PATCH"):
        lines.append(f"Content-Length: {len(body)}")
    return ("\r\n".join(lines) + "\r\n\r\n").encode() + body


def run_load(
    host: str,
    port: int,
    requests: Callable[[int], Iterator[bytes]],
    *,
    connections: int,
    seconds: float,
    keep_bodies: bool = False,
) -> LoadResult:
    """Drive `connections` connections for `seconds` (or until their requests run out).

    `requests(i)` gives connection i its requests, in order.
    """
    # A caller already inside an event loop (a test worker that drove Playwright's sync API)
    # cannot start another in its own thread, so the load runs on a thread of its own.
    with ThreadPoolExecutor(max_workers=1) as pool:
        load = _run(host, port, requests, connections, seconds, keep_bodies)
        return pool.submit(uvloop.run, load).result()


async def _run(
    host: str,
    port: int,
    requests: Callable[[int], Iterator[bytes]],
    connections: int,
    seconds: float,
    keep_bodies: bool,
) -> LoadResult:
    result = LoadResult(seconds=0.0)
    started = time.perf_counter()
    deadline = started + seconds
    await asyncio.gather(
        *(
            _connection(host, port, requests(index), deadline, result, keep_bodies)
            for index in range(connections)
        )
    )
    result.seconds = time.perf_counter() - started
    return result


async def _connection(
    host: str,
    port: int,
    requests: Iterator[bytes],
    deadline: float,
    result: LoadResult,
    keep_bodies: bool,
) -> None:
    reader, writer = await asyncio.open_connection(host, port, limit=MAX_HEADER_BYTES)
    try:
        for request in requests:
            if time.perf_counter() >= deadline:
                break
            sent = time.perf_counter()
            writer.write(request)
            try:
                status, body = await _read_response(reader)
            except (asyncio.IncompleteReadError, ConnectionError, ValueError):
                result.transport_errors += 1
                break
            result.latencies.append(time.perf_counter() - sent)
            result.statuses[status] += 1
            if keep_bodies:
                result.bodies.append(body)
    finally:
        writer.close()


async def _read_response(reader: asyncio.StreamReader) -> tuple[int, bytes]:
    head = await reader.readuntil(b"\r\n\r\n")
    status_line, _, rest = head.partition(b"\r\n")
    status = int(status_line.split(b" ", 2)[1])
    length = 0
    for line in rest.split(b"\r\n"):
        name, _, value = line.partition(b":")
        if name.strip().lower() == b"content-length":
            length = int(value.strip())
            break
    else:
        raise ValueError("the benchmark expects answers with a Content-Length")
    body = await reader.readexactly(length) if length else b""
    return status, body
