"""Proofs: a balance after a finalized epoch and the reward in it, with Merkle proofs to the
roots the chain committed. An owner asks for their own; anyone may ask by address, since the
published epoch file holds every address's figures anyway."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Request, Response
from starlette.concurrency import run_in_threadpool

from milestone.api.context import ApiContext
from milestone.api.deps import ContextDep, CurrentOwner, SessionDep
from milestone.api.problems import problem_responses
from milestone.api.schemas.common import bytes_of
from milestone.api.schemas.epochs import ProofPublic
from milestone.epochs.errors import OwnerNotInEpoch
from milestone.epochs.proofs import OwnerProof, prove_owner
from milestone.registry.owners import find_owner_by_address

router = APIRouter(prefix="/proofs", tags=["proofs"], responses=problem_responses(404))

EpochNumber = Annotated[int, Path(ge=0, le=2**40)]
Address = Annotated[str, Path(pattern=r"^0x[0-9a-fA-F]{40}$", examples=["0x" + "ab" * 20])]


@router.get(
    "/{epoch}/me", summary="My balance and reward at an epoch, with proofs",
    response_model=ProofPublic, responses=problem_responses(401, 403),
)
async def read_my_proof(epoch: EpochNumber, owner: CurrentOwner, request: Request) -> Response:
    """The wallet asks this on every opening. A finalized epoch's proof never changes, so a
    worker answers it from `context.proofs` after the first time; the first time costs one hop
    to the thread pool for the database reads."""
    assert owner.owner_id is not None
    context: ApiContext = request.app.state.context  # as ContextDep gives it, one solve fewer
    key = (epoch, owner.owner_id)
    answer = context.proofs.get(key)
    if answer is None:
        proof = await run_in_threadpool(_prove, context, owner.owner_id, epoch)
        answer = ProofPublic.of(proof).model_dump_json().encode()
        context.proofs.put(key, answer)
    return Response(answer, media_type="application/json")


def _prove(context: ApiContext, owner_id: int, epoch: int) -> OwnerProof:
    with context.database.snapshot() as session:
        return prove_owner(session, context.settings.data_dir / "epochs", owner_id, epoch)


@router.get("/{epoch}/accounts/{address}", summary="An address's balance and reward, with proofs")
def read_account_proof(
    epoch: EpochNumber, address: Address, session: SessionDep, context: ContextDep
) -> ProofPublic:
    owner = find_owner_by_address(session, bytes_of(address.lower()))
    if owner is None:
        raise OwnerNotInEpoch(f"no owner is published as {address}", epoch=epoch)
    epochs_dir = context.settings.data_dir / "epochs"
    return ProofPublic.of(prove_owner(session, epochs_dir, owner.id, epoch))
