"""The events feed: the outbox for systems that poll instead of receiving webhooks.

Staff only (operators and auditors): the feed is every owner's activity, pseudonymous but
complete. A system that polls it logs in as an auditor, which reads everything and writes
nothing (docs/webhooks.md).
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from milestone.api.deps import CurrentStaff, SessionDep
from milestone.api.problems import problem_responses
from milestone.api.schemas.events import EventPage, EventPublic, EventType
from milestone.api.schemas.requests import MAX_JSON_INTEGER
from milestone.events import events_after

router = APIRouter(prefix="/events", tags=["events"], responses=problem_responses(401, 403))


@router.get("", summary="Events after a cursor, oldest first")
def read_events(
    staff: CurrentStaff,
    session: SessionDep,
    after: Annotated[
        int, Query(ge=0, le=MAX_JSON_INTEGER, description="The last event id seen.")
    ] = 0,
    limit: Annotated[int, Query(ge=1, le=1_000)] = 100,
    type: Annotated[list[EventType] | None, Query(description="Only these types.")] = None,
) -> EventPage:
    """Events are numbered in the order they committed, so reading on from the last id seen
    never misses one."""
    events = events_after(session, after, limit=limit, types=type or ())
    return EventPage(
        events=[EventPublic.of(event) for event in events],
        after=events[-1].id if events else after,
    )
