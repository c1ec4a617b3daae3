"""What an owner's driving earned: drops round by round, and proofs of balance to check on-chain."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path

from milestone.api.deps import ContextDep, CurrentOwner, SessionDep
from milestone.api.problems import problem_responses
from milestone.api.schemas.epochs import EpochDropsPublic, OwnerProofPublic
from milestone.epochs.proofs import prove_owner
from milestone.epochs.views import EPOCHS_DIR, drops_of_owner
from milestone.program.service import load_program

router = APIRouter(prefix="/wallet", tags=["wallet"], responses=problem_responses(401, 403))

EpochNumber = Annotated[int, Path(ge=0, le=2**40)]


@router.get("/drops", summary="My drops in each finalized epoch, round by round")
def read_drops(owner: CurrentOwner, session: SessionDep) -> list[EpochDropsPublic]:
    assert owner.owner_id is not None
    program = load_program(session)
    return [EpochDropsPublic.of(e) for e in drops_of_owner(session, program, owner.owner_id)]


@router.get(
    "/proofs/{epoch}", summary="My balance after an epoch, with its Merkle proof",
    responses=problem_responses(404),
)
def read_proof(
    epoch: EpochNumber, owner: CurrentOwner, session: SessionDep, context: ContextDep
) -> OwnerProofPublic:
    """Check it against `commitment(epoch)` of the Program: the explorer does, in the browser."""
    assert owner.owner_id is not None
    epochs_dir = context.settings.data_dir / EPOCHS_DIR
    return OwnerProofPublic.of(prove_owner(session, epochs_dir, owner.owner_id, epoch))
