"""One router per resource; `ROUTERS` is what the app mounts under `/api/v1`."""

from __future__ import annotations

from fastapi import APIRouter

from milestone.api.routers import (
    auth,
    chain,
    consent,
    epochs,
    mining,
    owners,
    program,
    schedule,
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
    wallet.router,
    mining.router,
    schedule.router,
    epochs.router,
    chain.router,
)
