"""What an owner's driving earned: drops round by round, and proofs of balance to check on-chain."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Request, Response
from starlette.concurrency import run_in_threadpool

from milestone.api.context import ApiContext
from milestone.api.deps import CurrentOwner, CurrentOwnerId, SessionDep
from milestone.api.problems import problem_responses
from milestone.api.schemas.epochs import EpochDropsPublic, OwnerProofPublic
from milestone.epochs.proofs import OwnerProof, prove_owner
from milestone.epochs.views import EPOCHS_DIR, drops_of_owner
from milestone.program.service import load_program

router = APIRouter(prefix="/wallet", tags=["wallet"], responses=problem_responses(401, 403))

EpochNumber = Annotated[int, Path(ge=0, le=2**40)]


@router.get("/drops", summary="My drops in each finalized epoch, round by round")
def read_drops(owner_id: CurrentOwnerId, session: SessionDep) -> list[EpochDropsPublic]:
    program = load_program(session)
    return [EpochDropsPublic.of(e) for e in drops_of_owner(session, program, owner_id)]


@router.get(
    "/proofs/{epoch}", summary="My balance after an epoch, with its Merkle proof",
    response_model=OwnerProofPublic, responses=problem_responses(404),
)
async def read_proof(epoch: EpochNumber, owner: CurrentOwner, request: Request) -> Response:
    """Check it against `commitment(epoch)` of the Program: the explorer does, in the browser.

    The wallet asks this on every opening. A finalized epoch's proof never changes, so a worker
    answers it from `context.proofs` after the first time; the first time costs one hop to the
    thread pool for the database reads (a `def` route with a session dependency takes three).
    """
    assert owner.owner_id is not None
    context: ApiContext = request.app.state.context  # as ContextDep gives it, one solve fewer
    key = (epoch, owner.owner_id)
    answer = context.proofs.get(key)
    if answer is None:
        proof = await run_in_threadpool(_prove, context, owner.owner_id, epoch)
        answer = OwnerProofPublic.of(proof).model_dump_json().encode()
        context.proofs.put(key, answer)
    return Response(answer, media_type="application/json")


def _prove(context: ApiContext, owner_id: int, epoch: int) -> OwnerProof:
    with context.database.snapshot() as session:
        return prove_owner(session, context.settings.data_dir / EPOCHS_DIR, owner_id, epoch)
