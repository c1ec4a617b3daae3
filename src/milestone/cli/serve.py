"""`milestone serve`: the HTTP API and web app under uvicorn, on the configured database.

The parent process migrates the database and creates the token secret once, then hands the
settings to uvicorn's workers through the environment; each worker builds its own app from it.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path
from typing import Annotated

import typer

from milestone.cli.common import (
    DatabaseUrlOption,
    DataDirOption,
    open_from_options,
    reported_errors,
)
from milestone.settings import Settings, api_secret_of, load_settings

METRICS_DIR = "prometheus"
WORKER_STARTUP_SECONDS = 60
KEEP_ALIVE_SECONDS = 5
HEADER_SECONDS = 10
CONNECTIONS_PER_WORKER = 1_000
"""Past this many open connections (or running requests) a worker answers 503 at once rather
than letting slow or idle clients use up its memory and file descriptors."""


def serve(
    host: Annotated[str, typer.Option(help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(min=1, max=65_535, help="Port to listen on.")] = 8000,
    workers: Annotated[int, typer.Option(min=1, max=64, help="Worker processes.")] = 1,
    access_log: Annotated[bool, typer.Option(help="Log every request.")] = True,
    proxy_headers: Annotated[
        bool,
        typer.Option(help="Trust X-Forwarded-For from 127.0.0.1 (behind a local proxy)."),
    ] = False,
    keep_alive: Annotated[
        int, typer.Option(min=1, max=600, help="Seconds an idle connection stays open.")
    ] = KEEP_ALIVE_SECONDS,
    header_timeout: Annotated[
        int,
        typer.Option(min=1, max=600, help="Seconds a client has to send a request's headers."),
    ] = HEADER_SECONDS,
    max_connections: Annotated[
        int,
        typer.Option(min=1, max=1_000_000, help="Open connections per worker before 503."),
    ] = CONNECTIONS_PER_WORKER,
    data_dir: DataDirOption = None,
    database_url: DatabaseUrlOption = None,
) -> None:
    """Serve the API (and the web app, when built) on the embedded default or as configured."""
    import uvicorn

    from milestone.api.app import web_app_report
    from milestone.api.slowclients import HEADER_TIMEOUT_ENV, HeaderDeadlineProtocol
    from milestone.auth.tokens import load_token_secret

    settings = load_settings(data_dir=data_dir, database_url=database_url)
    with reported_errors():
        # Creates the database of a new data directory (the API answers `program_not_initialized`
        # until `init`), and migrates it once, before any worker.
        open_from_options(data_dir, database_url, create=True).dispose()
        load_token_secret(settings.data_dir, api_secret_of(settings))
    export_settings(settings)
    os.environ[HEADER_TIMEOUT_ENV] = str(header_timeout)
    if workers > 1:
        prepare_multiprocess_metrics(settings.data_dir / METRICS_DIR)
    typer.echo(f"milestone: serving on http://{host}:{port} ({workers} worker(s))", err=True)
    typer.echo(f"milestone: {web_app_report(settings)}", err=True)
    uvicorn.run(
        "milestone.api.main:app_from_environment",
        factory=True, host=host, port=port, workers=workers, access_log=access_log,
        proxy_headers=proxy_headers, forwarded_allow_ips="127.0.0.1" if proxy_headers else None,
        loop="uvloop", http=HeaderDeadlineProtocol, log_level="info",
        timeout_keep_alive=keep_alive, limit_concurrency=max_connections,
        # A worker imports FastAPI and the services before answering its first health ping:
        # seconds on a busy machine, more than uvicorn's default 5 s allows.
        timeout_worker_healthcheck=WORKER_STARTUP_SECONDS,
    )


def export_settings(settings: Settings) -> None:
    """Put the resolved settings where the workers' `load_settings()` will find them."""
    os.environ["MILESTONE_DATA_DIR"] = str(settings.data_dir.resolve())
    os.environ["MILESTONE_DATABASE_URL"] = settings.database_url


def prepare_multiprocess_metrics(directory: Path) -> None:
    """An empty directory for the workers' metric files: samples of a previous run must go."""
    shutil.rmtree(directory, ignore_errors=True)
    directory.mkdir(parents=True)
    os.environ["PROMETHEUS_MULTIPROC_DIR"] = str(directory.resolve())
