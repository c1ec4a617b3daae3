"""One router per resource; `ROUTERS` is what the app mounts under `/api/v1`."""

from __future__ import annotations

from fastapi import APIRouter

from milestone.api.routers import (
    activities,
    auth,
    chain,
    consent,
    dividends,
    epochs,
    mining,
    owners,
    program,
    schedule,
    store,
    telemetry,
    vehicles,
    wallet,
)

ROUTERS: tuple[APIRouter, ...] = (
    auth.router,
    program.router,
    owners.router,
    vehicles.router,
    consent.router,
    telemetry.router,
    activities.router,
    store.router,
    dividends.router,
    wallet.router,
    mining.router,
    schedule.router,
    epochs.router,
    chain.router,
)
