"""An owner's consent to the use of their vehicles' data, with a receipt for every change."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, status
from sqlalchemy.orm import Session

from milestone.api.deps import ClockDep, CurrentOwnerId, DatabaseDep, SessionDep, WriteLimit
from milestone.api.problems import problem_responses
from milestone.api.schemas.consent import (
    ConsentGrantCreate,
    ConsentHistoryPublic,
    ConsentRevocationCreate,
    ConsentStatePublic,
    DeletionPublic,
    ReceiptPublic,
    RevocationPublic,
)
from milestone.api.schemas.requests import MAX_JSON_INTEGER
from milestone.consent import service as consent
from milestone.registry.queries import vehicles_of_owner

router = APIRouter(
    prefix="/consent", tags=["consent"], responses=problem_responses(401, 403, 404)
)

WRITES = problem_responses(409, 429)


@router.get("", summary="My consent now, per vehicle I own")
def read_consent(
    owner_id: CurrentOwnerId, session: SessionDep, clock: ClockDep
) -> list[ConsentStatePublic]:
    now = clock.now()
    return [
        ConsentStatePublic(
            vehicle_id=vehicle.id,
            scopes=consent.consent_at(session, owner_id, vehicle.id, now),
        )
        for vehicle in vehicles_of_owner(session, owner_id)
    ]


@router.post("/grants", status_code=status.HTTP_201_CREATED, summary="Grant a scope",
    dependencies=[WriteLimit], responses=WRITES,
)
def grant(
    body: ConsentGrantCreate, owner_id: CurrentOwnerId, database: DatabaseDep, clock: ClockDep
) -> ReceiptPublic:
    """Only the vehicle's current owner may grant; the receipt chains to the owner's last."""
    receipt = database.run(
        lambda s: consent.grant_consent(
            s, clock, owner_id=owner_id, vehicle_id=body.vehicle_id, scope=body.scope,
            terms_version=body.terms_version,
        )
    )
    return ReceiptPublic.of(receipt)


@router.post(
    "/revocations", status_code=status.HTTP_201_CREATED, summary="Revoke a scope",
    dependencies=[WriteLimit], responses=WRITES,
)
def revoke(
    body: ConsentRevocationCreate, owner_id: CurrentOwnerId, database: DatabaseDep, clock: ClockDep
) -> RevocationPublic:
    """Erases the scope's raw data now and answers with the deletion receipt too."""
    revocation = database.run(
        lambda s: consent.revoke_consent(
            s, clock, owner_id=owner_id, vehicle_id=body.vehicle_id, scope=body.scope
        )
    )
    return RevocationPublic(
        receipt=ReceiptPublic.of(revocation.receipt),
        deletion=DeletionPublic.of(revocation.deletion),
    )


@router.get("/history", summary="Every change of my consent, with its receipt")
def read_history(
    owner_id: CurrentOwnerId,
    session: SessionDep,
    vehicle_id: Annotated[int | None, Query(ge=1, le=MAX_JSON_INTEGER)] = None,
) -> ConsentHistoryPublic:
    return _history(session, owner_id, vehicle_id)


def _history(session: Session, owner_id: int, vehicle_id: int | None) -> ConsentHistoryPublic:
    return ConsentHistoryPublic(
        receipts=[
            ReceiptPublic.of(r)
            for r in consent.consent_history(session, owner_id, vehicle_id=vehicle_id)
        ],
        deletions=[DeletionPublic.of(d) for d in consent.deletion_history(session, owner_id)],
        chain_valid=consent.verify_receipt_chain(session, owner_id),
    )
