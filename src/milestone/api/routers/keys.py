"""API keys of merchants and the sales system, issued and revoked by operators."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, status

from milestone.api.deps import (
    ClockDep,
    CurrentOperator,
    CurrentStaff,
    DatabaseDep,
    SessionDep,
    WriteLimit,
)
from milestone.api.problems import problem_responses
from milestone.api.schemas.auth import ApiKeyCreate, ApiKeyPublic, IssuedKeyPublic
from milestone.auth import keys

router = APIRouter(prefix="/keys", tags=["keys"], responses=problem_responses(401, 403, 422))

KeyId = Annotated[int, Path(ge=1, le=2**31 - 1)]


@router.post(
    "", status_code=status.HTTP_201_CREATED, dependencies=[WriteLimit],
    summary="Issue an API key", responses=problem_responses(429),
)
def issue_key(
    body: ApiKeyCreate, operator: CurrentOperator, database: DatabaseDep, clock: ClockDep
) -> IssuedKeyPublic:
    """The response carries the key itself; it is shown this once."""
    issued = database.run(
        lambda session: keys.issue_api_key(
            session, clock, body.holder, merchant_id=body.merchant_id, label=body.label
        )
    )
    return IssuedKeyPublic.of(issued)


@router.get("", summary="List API keys")
def list_keys(staff: CurrentStaff, session: SessionDep) -> list[ApiKeyPublic]:
    return [ApiKeyPublic.of(key) for key in keys.list_api_keys(session)]


@router.delete(
    "/{key_id}", dependencies=[WriteLimit], summary="Revoke an API key",
    responses=problem_responses(404, 429),
)
def revoke_key(
    key_id: KeyId, operator: CurrentOperator, database: DatabaseDep, clock: ClockDep
) -> ApiKeyPublic:
    return ApiKeyPublic.of(database.run(lambda s: keys.revoke_api_key(s, clock, key_id)))
