"""Owners: signing up, one's own profile, and the operator's view of an owner."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, status
from sqlalchemy.orm import Session

from milestone.activities import standing
from milestone.api.deps import (
    ClockDep,
    ContextDep,
    CurrentOperator,
    CurrentOwner,
    CurrentStaff,
    DatabaseDep,
    LoginLimit,
    SessionDep,
    WriteLimit,
)
from milestone.api.problems import problem_responses
from milestone.api.schemas.activities import RevocationCreate, StandingPublic
from milestone.api.schemas.auth import TokenPublic
from milestone.api.schemas.common import Instant
from milestone.api.schemas.registry import (
    IdentityUpdate,
    OwnerCreate,
    OwnerPublic,
    OwnerStaffPublic,
    SignupPublic,
)
from milestone.api.schemas.requests import MAX_JSON_INTEGER
from milestone.auth import users
from milestone.auth.passwords import prepare_password
from milestone.auth.principals import Role
from milestone.registry import owners
from milestone.registry.queries import vehicles_of_owner
from milestone.store import unlocks

router = APIRouter(prefix="/owners", tags=["owners"])

OwnerId = Annotated[int, Path(ge=1, le=MAX_JSON_INTEGER)]


@router.post(
    "", status_code=status.HTTP_201_CREATED, dependencies=[LoginLimit],
    summary="Sign up as an owner", responses=problem_responses(409, 429),
)
def sign_up(
    body: OwnerCreate, context: ContextDep, database: DatabaseDep, clock: ClockDep
) -> SignupPublic:
    """A new owner account and its user, in one transaction; answers with a token too."""
    password = prepare_password(body.password, context.hasher)  # slow: before the transaction

    def work(session: Session) -> tuple[OwnerPublic, users.User]:
        owner = owners.create_owner(session, clock)
        user = users.create_user(
            session, clock, context.hasher, username=body.username, password=password,
            role=Role.OWNER, owner_id=owner.id,
        )
        return OwnerPublic.of(owner, user.username, []), user

    profile, user = database.run(work)
    issued = context.signer.issue(user)
    token = TokenPublic(
        access_token=issued.token, expires_at=Instant.of(issued.expires_at), role=user.role,
        owner_id=user.owner_id,
    )
    return SignupPublic(owner=profile, token=token)


@router.get("/me", summary="My profile and vehicles", responses=problem_responses(401, 403))
def read_me(owner: CurrentOwner, session: SessionDep) -> OwnerPublic:
    assert owner.owner_id is not None
    user = users.get_user(session, owner.subject)
    record = owners.get_owner(session, owner.owner_id)
    return OwnerPublic.of(record, user.username, vehicles_of_owner(session, owner.owner_id))


@router.get(
    "/{owner_id}", summary="An owner, for the operations team",
    responses=problem_responses(401, 403, 404),
)
def read_owner(owner_id: OwnerId, staff: CurrentStaff, session: SessionDep) -> OwnerStaffPublic:
    return _staff_view(session, owner_id)


@router.put(
    "/{owner_id}/identity", dependencies=[WriteLimit],
    summary="Record an owner's verified phone or payment account",
    responses=problem_responses(401, 403, 404, 429),
)
def set_identity(
    owner_id: OwnerId, body: IdentityUpdate, operator: CurrentOperator, database: DatabaseDep
) -> OwnerStaffPublic:
    """Stored only as salted hashes; used to refuse self-referrals."""

    def work(session: Session) -> OwnerStaffPublic:
        owners.set_identity(session, owner_id, phone=body.phone, payment=body.payment)
        return _staff_view(session, owner_id)

    return database.run(work)


@router.post(
    "/{owner_id}/certification", dependencies=[WriteLimit],
    summary="Certify an owner (a verified car owner: the spend lock starts counting)",
    responses=problem_responses(401, 403, 404, 429),
)
def certify_owner(
    owner_id: OwnerId, operator: CurrentOperator, database: DatabaseDep, clock: ClockDep
) -> StandingPublic:
    return StandingPublic.of(database.run(lambda s: unlocks.certify(s, clock, owner_id)))


@router.post(
    "/{owner_id}/revocation", dependencies=[WriteLimit],
    summary="Close an owner's participation (fraud): no more rewards, codes refused",
    responses=problem_responses(401, 403, 404, 429),
)
def revoke_owner(
    owner_id: OwnerId,
    body: RevocationCreate,
    operator: CurrentOperator,
    database: DatabaseDep,
    clock: ClockDep,
) -> StandingPublic:
    return StandingPublic.of(
        database.run(lambda s: standing.revoke_owner(s, clock, owner_id, body.reason))
    )


def _staff_view(session: Session, owner_id: int) -> OwnerStaffPublic:
    record = owners.get_owner(session, owner_id)
    user = users.find_user_by_owner(session, owner_id)
    public = OwnerPublic.of(
        record, None if user is None else user.username, vehicles_of_owner(session, owner_id)
    )
    return OwnerStaffPublic(
        **public.model_dump(), has_phone=record.phone_hash is not None,
        has_payment=record.payment_hash is not None,
        sharing_identity_with=owners.owners_sharing_identity(session, owner_id),
        standing=StandingPublic.of(standing.standing_of(session, owner_id)),
    )
