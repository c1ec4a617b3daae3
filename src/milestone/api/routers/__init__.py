"""One router per resource; `ROUTERS` is what the app mounts under `/api/v1`.

FastAPI tries the routes in order for every request, so the routes asked most (a wallet's
balance proof, a car's upload) come first; no two routers share a path, so the order changes
nothing else.
"""

from __future__ import annotations

from fastapi import APIRouter

from milestone.api.routers import (
    activities,
    admin,
    auth,
    chain,
    consent,
    dividends,
    epochs,
    events,
    mining,
    owners,
    program,
    schedule,
    store,
    telemetry,
    vehicles,
    wallet,
    webhooks,
)

ROUTERS: tuple[APIRouter, ...] = (
    mining.router,
    telemetry.router,
    auth.router,
    program.router,
    owners.router,
    vehicles.router,
    consent.router,
    activities.router,
    store.router,
    dividends.router,
    wallet.router,
    schedule.router,
    epochs.router,
    chain.router,
    admin.router,
    events.router,
    webhooks.router,
)
