"""The application factory: `create_app(settings, clock=...)` builds the whole HTTP API.

Routes live under `/api/v1`, one router per resource; `/health` and `/metrics` sit at the root
for load balancers and Prometheus; the web app's built files, when present, are served at `/`.
The factory does not migrate the database: `milestone serve` does that once before starting its
workers, and `/health` reports a database that is behind.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager, contextmanager
from importlib.metadata import version
from pathlib import Path
from typing import Any, Literal

from argon2 import PasswordHasher
from fastapi import FastAPI
from fastapi.middleware.gzip import GZipMiddleware
from fastapi.responses import HTMLResponse
from fastapi.staticfiles import StaticFiles
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.types import Lifespan, Receive, Scope, Send

from milestone.api.cache import AnswerCache
from milestone.api.context import ApiContext
from milestone.api.metrics import MetricsMiddleware, metrics_response
from milestone.api.middleware import BodySizeLimit
from milestone.api.problems import (
    COMMON_RESPONSES,
    ProblemPublic,
    api_methods,
    install_problem_handlers,
)
from milestone.api.ratelimit import Rate, RateLimiter
from milestone.api.routers import ROUTERS, health
from milestone.auth.passwords import STRONG_HASHER
from milestone.auth.tokens import TokenSigner, load_token_secret
from milestone.clock import Clock, SystemClock
from milestone.settings import Settings, api_secret_of
from milestone.storage import Database

API_PREFIX = "/api/v1"
WEB_DIST = Path(__file__).resolve().parents[1] / "webapp"
"""The web app as the package carries it: `make web` builds it here, and the wheel takes it in
as package data, so an installed Milestone serves the app without a source tree."""

NO_WEB_APP = """<!doctype html><html lang="en"><meta charset="utf-8"><title>Milestone</title>
<p>The Milestone API is running at <a href="/api/v1/docs">/api/v1</a>, but there is no web app
to serve here: build it with <code>make web</code>, or point <code>MILESTONE_WEB_DIR</code> at a
directory holding its built <code>index.html</code>.</p></html>
"""

DESCRIPTION = """\
The HTTP API of a Milestone program: owners, vehicles, telemetry, consent, activities, store,
dividends, epochs, proofs and administration.

Owners, operators and auditors log in at `POST /api/v1/auth/login` and send the token as
`Authorization: Bearer <token>`; merchants and the sales system send their API key in
`X-API-Key`; vehicles sign their reports. Amounts are integer pebbles (1 stone = 10^8
pebbles) with the stones as a decimal string beside them; instants are Unix seconds with an
ISO 8601 form beside them. Every error is `application/problem+json` with a stable `code`.
"""


def create_app(
    settings: Settings,
    clock: Clock | None = None,
    *,
    database: Database | None = None,
    hasher: PasswordHasher = STRONG_HASHER,
    limiter: RateLimiter | None = None,
    web_dir: Path | Literal["settings"] | None = "settings",
    dispatch_webhooks: bool = False,
) -> FastAPI:
    """The API over the database of `settings` (or `database`, which the caller then owns).

    With `dispatch_webhooks`, the app runs the webhook dispatcher on a thread of its own while
    it serves: its HTTP calls and database writes never run on the event loop, so a slow
    receiver cannot hold a request up.
    """
    clock = clock or SystemClock()
    owns_database = database is None
    database = database or Database.from_url(settings.database_url)
    replica = read_replica(settings)
    context = ApiContext(
        settings=settings,
        clock=clock,
        database=database,
        signer=TokenSigner(
            load_token_secret(settings.data_dir, api_secret_of(settings)), clock,
            settings.api_token_ttl_seconds,
        ),
        hasher=hasher,
        limiter=limiter or RateLimiter(),
        login_rate=Rate(settings.api_login_per_minute, burst=settings.api_login_per_minute),
        write_rate=Rate(settings.api_writes_per_minute, burst=settings.api_writes_per_minute),
        proofs=AnswerCache(settings.api_proof_cache),
        read_database=replica,
    )

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        with webhooks_dispatched(settings, database, clock, dispatch_webhooks):
            yield
        if owns_database:
            database.dispose()
        if replica is not None:
            replica.dispose()

    app = build_app(lifespan)
    app.state.context = context
    if web_dir == "settings":
        web_dir = web_dir_of(settings)
    if web_dir is not None and (web_dir / "index.html").is_file():
        app.mount("/", WebFiles(directory=web_dir, html=True), name="web")
    elif web_dir is not None:
        app.add_api_route("/", _no_web_app, include_in_schema=False)
    return app


@contextmanager
def webhooks_dispatched(
    settings: Settings, database: Database, clock: Clock, enabled: bool
) -> Iterator[None]:
    """The webhook dispatcher on a daemon thread for as long as the block runs."""
    if not enabled:
        yield
        return
    from milestone.events.dispatcher import Dispatcher, config_of, dispatcher_thread

    dispatcher = Dispatcher(database, clock, config_of(settings))
    thread, stop = dispatcher_thread(dispatcher, settings.webhooks_poll_seconds)
    try:
        yield
    finally:
        stop.set()
        thread.join(timeout=settings.webhooks_timeout_seconds + 5)
        dispatcher.close()


def read_replica(settings: Settings) -> Database | None:
    """The read replica of `MILESTONE_DATABASE_READ_URL`, if set (never migrated: it follows
    the primary)."""
    if not settings.database_read_url:
        return None
    return Database.from_url(settings.database_read_url)


def web_dir_of(settings: Settings) -> Path:
    """Where the web app is served from: the configured directory, else the package's own."""
    return settings.web_dir if settings.web_dir is not None else WEB_DIST


def web_app_report(settings: Settings) -> str:
    """One line for the log: where the web app is served from, or that there is none."""
    web_dir = web_dir_of(settings)
    if (web_dir / "index.html").is_file():
        return f"serving the web app from {web_dir}"
    return (f"no web app at {web_dir} (no index.html): only the API is served; build it with "
            "`make web` or set MILESTONE_WEB_DIR")


async def _no_web_app() -> HTMLResponse:
    return HTMLResponse(NO_WEB_APP, status_code=404)


def openapi_document() -> dict[str, Any]:
    """The OpenAPI document of the API: the same for every configuration."""
    return build_app().openapi()


def build_app(lifespan: Lifespan[FastAPI] | None = None) -> FastAPI:
    """The routes, handlers and middleware, without the context a request needs."""
    app = FastAPI(
        title="Milestone",
        version=version("milestone"),
        description=DESCRIPTION,
        lifespan=lifespan,
        separate_input_output_schemas=False,
        responses=COMMON_RESPONSES,
    )
    install_problem_handlers(app)
    app.include_router(health.router)
    app.add_route("/metrics", metrics_response, include_in_schema=False)
    for router in ROUTERS:
        app.include_router(router, prefix=API_PREFIX)
    templates = {id(route): path for route, path in _route_templates()}
    app.add_middleware(BodySizeLimit)
    # Phones on a mobile network: the web app's script and the API's JSON travel compressed
    # (the app's first load is about a third of its size so).
    app.add_middleware(GZipMiddleware, minimum_size=1024)
    app.add_middleware(MetricsMiddleware, templates=templates)
    app.openapi = lambda: _openapi(app)  # type: ignore[method-assign]
    return app


def _route_templates() -> Iterator[tuple[object, str]]:
    """Each route with its full path template, for metric labels."""
    for route in health.router.routes:
        yield route, getattr(route, "path", "")
    for router in ROUTERS:
        for route in router.routes:
            yield route, API_PREFIX + getattr(route, "path", "")


def _openapi(app: FastAPI) -> dict[str, Any]:
    """FastAPI's document, plus the problem schema every error response refers to."""
    if app.openapi_schema is None:
        from fastapi.openapi.utils import get_openapi

        schema = get_openapi(
            title=app.title, version=app.version, description=app.description,
            routes=app.routes, separate_input_output_schemas=False,
        )
        components = schema.setdefault("components", {}).setdefault("schemas", {})
        components.setdefault(
            "ProblemPublic",
            ProblemPublic.model_json_schema(ref_template="#/components/schemas/{model}"),
        )
        app.openapi_schema = schema
    return app.openapi_schema


class WebFiles(StaticFiles):
    """The web app's files, mounted at `/`, which never answer for an API path: a method the
    path lacks is the API's 405 (with its `Allow`), an unknown API path its 404, instead of the
    files' 404 for every GET the API does not route."""

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and scope["path"].startswith(API_PREFIX + "/"):
            raise StarletteHTTPException(405 if api_methods(scope["app"], scope) else 404)
        await super().__call__(scope, receive, send)
