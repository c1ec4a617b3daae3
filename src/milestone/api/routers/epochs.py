"""Epochs, in public: the settled ones, their files and on-chain commitments, emission against
the schedule, and the Merkle proofs of balances and rewards."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Query
from fastapi.responses import FileResponse

from milestone.api.deps import ContextDep, SessionDep
from milestone.api.problems import problem_responses
from milestone.api.schemas.epochs import (
    CommitmentPublic,
    EpochDetailPublic,
    EpochPublic,
        SchedulePointPublic,
)
from milestone.chain.status import read_commitment
from milestone.epochs import views
from milestone.epochs.errors import EpochNotFinalized
from milestone.program.service import load_program

router = APIRouter(tags=["epochs"], responses=problem_responses(404))

EpochNumber = Annotated[int, Path(ge=0, le=2**40)]
Before = Annotated[int | None, Query(ge=0, le=2**40)]
Limit = Annotated[int, Query(ge=1, le=views.PAGE_MAX)]


@router.get("/epochs", summary="Settled and settling epochs, newest first")
def read_epochs(session: SessionDep, before: Before = None, limit: Limit = 50) -> list[EpochPublic]:
    return [EpochPublic.of(row) for row in views.epoch_records(session, before=before, limit=limit)]


@router.get("/epochs/schedule", summary="Emission against the schedule, per finalized epoch")
def read_schedule(
    session: SessionDep, before: Before = None, limit: Limit = 50
) -> list[SchedulePointPublic]:
    parameters = load_program(session).parameters
    points = views.schedule_vs_actual(session, parameters, before=before, limit=limit)
    return [SchedulePointPublic.of(point) for point in points]


@router.get("/epochs/{epoch}", summary="One epoch: everything settlement fixed")
def read_epoch(epoch: EpochNumber, session: SessionDep) -> EpochDetailPublic:
    return EpochDetailPublic.of_view(views.epoch_view(session, epoch))


@router.get(
    "/epochs/{epoch}/file", response_class=FileResponse, summary="The published epoch file",
    responses={200: {"content": {"application/gzip": {}}}},
)
def read_epoch_file(epoch: EpochNumber, session: SessionDep, context: ContextDep) -> FileResponse:
    """Gzipped canonical JSON: enough to rebuild every tree of the epoch (docs/epoch-file.md)."""
    path = views.epoch_file_path(session, context.settings.data_dir / "epochs", epoch)
    return FileResponse(path, media_type="application/gzip", filename=path.name)


@router.get(
    "/epochs/{epoch}/commitment", summary="What the Program contract committed for the epoch",
    responses=problem_responses(409, 503),
)
def read_commitment_on_chain(
    epoch: EpochNumber, session: SessionDep, context: ContextDep
) -> CommitmentPublic:
    """Read from the chain, not the database: compare it with the epoch's recorded roots."""
    cache = context.extras.setdefault("commitments", {})
    assert isinstance(cache, dict)
    result = cache.get(epoch)
    if result is None:
        settings = context.settings
        result = read_commitment(settings.data_dir, settings.chain_url, epoch)
        if result is None:
            raise EpochNotFinalized(f"the Program has not finalized epoch {epoch}", epoch=epoch)
        cache[epoch] = result  # a finalized commitment never changes
    return CommitmentPublic.of(result, views.find_epoch(session, epoch))
