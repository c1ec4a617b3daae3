"""Epochs in public: their settlement, commitments and published files."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Query
from fastapi.responses import FileResponse

from milestone.api.deps import ContextDep, SessionDep
from milestone.api.problems import problem_responses
from milestone.api.schemas.epochs import EpochPublic
from milestone.epochs.views import EPOCHS_PAGE_MAX, epoch_file_path, get_epoch, list_epochs
from milestone.program.service import load_program

router = APIRouter(prefix="/epochs", tags=["epochs"], responses=problem_responses(404))

EpochNumber = Annotated[int, Path(ge=0, le=2**40)]


@router.get("", summary="Settled epochs, newest first")
def read_epochs(
    session: SessionDep,
    before: Annotated[int | None, Query(ge=0, le=2**40)] = None,
    limit: Annotated[int, Query(ge=1, le=EPOCHS_PAGE_MAX)] = 100,
) -> list[EpochPublic]:
    """Public: every root here is committed on-chain or recomputable from the epoch files."""
    program = load_program(session)
    return [EpochPublic.of(e) for e in list_epochs(session, program, before=before, limit=limit)]


@router.get("/{epoch}", summary="One epoch's settlement and commitments")
def read_epoch(epoch: EpochNumber, session: SessionDep) -> EpochPublic:
    return EpochPublic.of(get_epoch(session, load_program(session), epoch))


@router.get(
    "/{epoch}/file", summary="The published epoch file (gzip JSON)", response_class=FileResponse,
    responses={200: {"content": {"application/gzip": {}}}},
)
def read_epoch_file(epoch: EpochNumber, session: SessionDep, context: ContextDep) -> FileResponse:
    """What `milestone audit` re-runs: keccak-256 of its decompressed bytes is on-chain."""
    path = epoch_file_path(session, context.settings.data_dir, epoch)
    return FileResponse(path, media_type="application/gzip", filename=path.name)
