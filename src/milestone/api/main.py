"""The app as uvicorn's workers build it: settings from the environment `milestone serve` set."""

from __future__ import annotations

from fastapi import FastAPI

from milestone.api.app import create_app
from milestone.settings import load_settings


def app_from_environment() -> FastAPI:
    """uvicorn factory (`--factory`): each worker builds its own app and database pool."""
    settings = load_settings()
    return create_app(settings, dispatch_webhooks=settings.webhooks_in_serve)
