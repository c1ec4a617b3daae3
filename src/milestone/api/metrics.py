"""Prometheus metrics: requests and their latency by route template, served at `/metrics`.

Labels use the route's template (`/api/v1/epochs/{epoch}`), never the raw path, so a scanner
walking random URLs cannot blow up the number of series. Under several workers each process
writes its samples to `PROMETHEUS_MULTIPROC_DIR` (set by `milestone serve` before the workers
start) and a scrape adds them up; a single process keeps them in memory.
"""

from __future__ import annotations

import os
import time
from collections.abc import Mapping

from prometheus_client import (
    CONTENT_TYPE_LATEST,
    REGISTRY,
    CollectorRegistry,
    Counter,
    Histogram,
    generate_latest,
)
from prometheus_client.multiprocess import MultiProcessCollector
from starlette.requests import Request
from starlette.responses import Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

MULTIPROCESS_ENV = "PROMETHEUS_MULTIPROC_DIR"
UNMATCHED = "unmatched"

REQUESTS = Counter(
    "milestone_http_requests_total", "HTTP requests answered.", ["method", "route", "status"]
)
LATENCY = Histogram(
    "milestone_http_request_duration_seconds",
    "Time from receiving a request to sending its response's start.",
    ["method", "route"],
    buckets=(0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0),
)


class MetricsMiddleware:
    """A plain ASGI middleware (no BaseHTTPMiddleware: it would cost every request a task).

    `templates` maps each route object to its full path template: the route FastAPI puts in
    the scope knows only its path inside its router, not the prefix it was included under.
    """

    def __init__(self, app: ASGIApp, templates: Mapping[int, str]) -> None:
        self.app = app
        self.templates = templates

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        status = 500

        async def send_and_count(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, send_and_count)
        finally:
            route = self.templates.get(id(scope.get("route")), UNMATCHED)
            LATENCY.labels(scope["method"], route).observe(time.perf_counter() - started)
            REQUESTS.labels(scope["method"], route, str(status)).inc()


def metrics_response(_request: Request) -> Response:
    """The samples of this process, or of every worker's process under multiprocess mode."""
    if os.environ.get(MULTIPROCESS_ENV):
        registry = CollectorRegistry()
        MultiProcessCollector(registry)  # type: ignore[no-untyped-call]
        return Response(generate_latest(registry), media_type=CONTENT_TYPE_LATEST)
    return Response(generate_latest(REGISTRY), media_type=CONTENT_TYPE_LATEST)
