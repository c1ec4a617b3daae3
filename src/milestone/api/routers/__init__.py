"""One router per resource; `ROUTERS` is what the app mounts under `/api/v1`."""

from __future__ import annotations

from fastapi import APIRouter

from milestone.api.routers import auth, keys, program, wallet

ROUTERS: tuple[APIRouter, ...] = (
    auth.router,
    program.router,
    wallet.router,
    keys.router,
)
