"""Liveness and readiness for load balancers: `/health`."""

from __future__ import annotations

from functools import cache

from fastapi import APIRouter
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from milestone.api.deps import DatabaseDep
from milestone.api.problems import problem_responses
from milestone.api.schemas.health import HealthPublic
from milestone.errors import MilestoneError
from milestone.program.models import PROGRAM_ID, ProgramRecord
from milestone.storage.migrations import current_revision, head_revision

router = APIRouter(tags=["health"], responses=problem_responses(503))


class Unavailable(MilestoneError):
    code = "unavailable"
    http_status = 503


@cache
def _head() -> str:
    return head_revision()


@router.get("/health", summary="Is the service up and its database reachable?")
def get_health(database: DatabaseDep) -> HealthPublic:
    """200 when the database answers and its schema is current; 503 otherwise."""
    try:
        with database.session() as session:
            session.execute(text("SELECT 1"))
            initialized = session.get(ProgramRecord, PROGRAM_ID) is not None
        revision = current_revision(database.engine)
    except SQLAlchemyError as error:
        raise Unavailable(f"the database does not answer: {type(error).__name__}") from None
    if revision != _head():
        raise Unavailable(
            f"the database schema is at {revision}, the program needs {_head()}: "
            "run `milestone serve` (it migrates) or `milestone init`"
        )
    return HealthPublic(status="ok", database=database.dialect, schema_revision=revision,
                        program_initialized=initialized)
