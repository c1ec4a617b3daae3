"""Telemetry: vehicles upload signed trip reports; owners read their trips; staff the refusals.

The upload route takes no credentials: a report is authenticated by its vehicle's Ed25519
signature, checked by the intake against the registered key. Each report gets its own verdict;
a malformed item is a rejected report, never a failed batch.
"""

from __future__ import annotations

import re
from typing import Annotated

from fastapi import APIRouter, Query

from milestone.api.deps import (
    ClockDep,
    ContextDep,
    CurrentOwnerId,
    CurrentStaff,
    DatabaseDep,
    SessionDep,
    WriteLimit,
)
from milestone.api.problems import problem_responses
from milestone.api.schemas.requests import MAX_JSON_INTEGER
from milestone.api.schemas.telemetry import (
    BatchCreate,
    BatchPublic,
    ExplainPublic,
    RejectionPublic,
    RejectionsPublic,
    RejectionSummaryPublic,
    TripPublic,
    VerdictPublic,
)
from milestone.telemetry.intake import explain_reports, ingest
from milestone.telemetry.queries import (
    MAX_LIMIT,
    list_rejections,
    rejection_counts,
    trips_of_owner,
)
from milestone.telemetry.rejection_summary import summarise_rejections

router = APIRouter(prefix="/telemetry", tags=["telemetry"])

HEX = re.compile(r"(?:0x)?((?:[0-9a-fA-F]{2})*)")
Limit = Annotated[int, Query(ge=1, le=MAX_LIMIT)]
Before = Annotated[int | None, Query(ge=1, le=MAX_JSON_INTEGER)]


def envelope_of(item: str) -> bytes | str:
    """The bytes of a 0x-hex item; anything else goes through as text, to be refused as such."""
    match = HEX.fullmatch(item)
    return bytes.fromhex(match.group(1)) if match else item


@router.post(
    "/batches", dependencies=[WriteLimit], summary="Upload signed trip reports",
    responses=problem_responses(429),
)
def upload_batch(
    body: BatchCreate, database: DatabaseDep, clock: ClockDep, context: ContextDep
) -> BatchPublic:
    """Judged and stored in one transaction; the same report sent again gets its old verdict."""
    items = [envelope_of(item) for item in body.reports]
    verdicts = ingest(database, clock, items, grace_seconds=context.settings.settle_grace_seconds)
    accepted = sum(verdict.accepted for verdict in verdicts)
    return BatchPublic(
        accepted=accepted, rejected=len(verdicts) - accepted,
        verdicts=[VerdictPublic.of(verdict) for verdict in verdicts],
    )


@router.get("/trips", summary="My accepted trips", responses=problem_responses(401, 403))
def read_trips(
    owner_id: CurrentOwnerId, session: SessionDep, limit: Limit = 50
) -> list[TripPublic]:
    """Newest first."""
    return [TripPublic.of(trip) for trip in trips_of_owner(session, owner_id, limit=limit)]


@router.get(
    "/rejections/mine", summary="My vehicles' refused reports and why",
    responses=problem_responses(401, 403),
)
def read_my_rejections(
    owner_id: CurrentOwnerId, session: SessionDep, before: Before = None, limit: Limit = 50
) -> list[RejectionPublic]:
    """The verdicts an owner's cars got when a report was refused, newest first."""
    found = list_rejections(session, owner_id=owner_id, before=before, limit=limit)
    return [RejectionPublic.of(rejection) for rejection in found]


Since = Annotated[int | None, Query(ge=0, le=2**40)]


@router.get(
    "/rejections/summary", summary="Refused reports counted by kind, code and vehicle",
    responses=problem_responses(401, 403),
)
def read_rejection_summary(
    staff: CurrentStaff,
    session: SessionDep,
    since: Since = None,
    vehicles: Annotated[int, Query(ge=1, le=MAX_LIMIT)] = 20,
) -> RejectionSummaryPublic:
    """Over every kept refusal (received since an instant, if given), consent refusals and
    program limits apart from failed integrity checks; the vehicles with the most of those
    first."""
    return RejectionSummaryPublic.of(summarise_rejections(session, since=since, vehicles=vehicles))


@router.get(
    "/rejections", summary="Refused reports and why", responses=problem_responses(401, 403)
)
def read_rejections(
    staff: CurrentStaff,
    session: SessionDep,
    code: Annotated[str | None, Query(max_length=32)] = None,
    vehicle_id: Annotated[int | None, Query(ge=1, le=MAX_JSON_INTEGER)] = None,
    since: Since = None,
    before: Before = None,
    limit: Limit = 50,
) -> RejectionsPublic:
    """The latest refusals (of one code or vehicle, if given; older than the id `before`, to
    page) and the counts by code."""
    found = list_rejections(session, code=code, vehicle_id=vehicle_id, before=before, limit=limit)
    return RejectionsPublic(
        rejections=[RejectionPublic.of(rejection) for rejection in found],
        counts=rejection_counts(session, since=since),
    )


@router.post(
    "/explain", summary="Every check reports would fail now, without storing them",
    responses=problem_responses(401, 403),
)
def explain(
    body: BatchCreate, staff: CurrentStaff, session: SessionDep, clock: ClockDep,
    context: ContextDep,
) -> ExplainPublic:
    """For appeals: a rejection names the first failing check, this names them all."""
    items = [envelope_of(item) for item in body.reports]
    grace = context.settings.settle_grace_seconds
    return ExplainPublic(failures=explain_reports(session, clock, items, grace_seconds=grace))
