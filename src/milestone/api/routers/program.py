"""The program itself, in public: parameters, genesis, and where every stone is."""

from __future__ import annotations

from fastapi import APIRouter

from milestone.api.deps import ClockDep, ContextDep, SessionDep
from milestone.api.problems import problem_responses
from milestone.api.schemas.ledger import ProgramPublic
from milestone.ledger.calendar import load_calendar
from milestone.ledger.queries import totals
from milestone.program.service import load_program

router = APIRouter(prefix="/program", tags=["program"], responses=problem_responses(409))


@router.get("", summary="The program's parameters, genesis and totals")
def read_program(session: SessionDep, clock: ClockDep, context: ContextDep) -> ProgramPublic:
    """Public: everything here is committed on-chain or recomputable from published files."""
    program = load_program(session)
    epoch = load_calendar(session).epoch_of(clock.now())
    return ProgramPublic.of(program, epoch, totals(session), context.settings.time_zone)
