"""Who erases what when consent is revoked.

The packages that store raw data of a scope (telemetry does) register an eraser here; the
consent service calls every eraser on a revocation and counts what they erased in the deletion
receipt. Registration keeps consent below telemetry in the layers: telemetry asks consent which
trips it may keep, consent never imports telemetry.
"""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy.orm import Session

Eraser = Callable[[Session, int, int, str, int], int]
"""(session, owner_id, vehicle_id, scope, at) -> number of items erased."""

_ERASERS: list[Eraser] = []


def register_eraser(eraser: Eraser) -> None:
    """Call `eraser` on every revocation from now on (registering twice is harmless)."""
    if eraser not in _ERASERS:
        _ERASERS.append(eraser)


def registered_erasers() -> tuple[Eraser, ...]:
    return tuple(_ERASERS)


def erase_scope(session: Session, owner_id: int, vehicle_id: int, scope: str, at: int) -> int:
    """Run every eraser for the scope; the total number of items they erased."""
    return sum(eraser(session, owner_id, vehicle_id, scope, at) for eraser in _ERASERS)
