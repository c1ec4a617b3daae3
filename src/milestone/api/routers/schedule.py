"""The emission schedule, for charts of emission against it."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from milestone.api.deps import SessionDep
from milestone.api.schemas.common import Amount
from milestone.api.schemas.epochs import SchedulePointPublic, SchedulePublic
from milestone.program.schedule import MAX_POINTS, sample_schedule
from milestone.program.service import load_program
from milestone.rules.schedule import calculate_exhaustion_epoch, calculate_total_release

router = APIRouter(prefix="/program", tags=["program"])


@router.get("/schedule", summary="Cumulative releases of both reserves, epoch by epoch")
def read_schedule(
    session: SessionDep,
    until: Annotated[int, Query(ge=0, le=2**24)] = 30,
    points: Annotated[int, Query(ge=2, le=MAX_POINTS)] = MAX_POINTS,
) -> SchedulePublic:
    """Epochs 0 .. `until`, at most `points` of them, evenly spaced."""
    params = load_program(session).parameters
    return SchedulePublic(
        points=[
            SchedulePointPublic(epoch=p.epoch, mining=Amount.of(p.mining),
                                activity=Amount.of(p.activity))
            for p in sample_schedule(params, until, points)
        ],
        exhaustion_epoch=calculate_exhaustion_epoch(params.mining),
        mining_total=Amount.of(calculate_total_release(params.mining)),
        activity_total=Amount.of(calculate_total_release(params.activity)),
    )
