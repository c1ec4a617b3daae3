"""Vehicles, for the operations team: registration, ownership, key rotation and revocation."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Query, status
from sqlalchemy.orm import Session

from milestone.api.deps import (
    ClockDep,
    CurrentOperator,
    CurrentStaff,
    DatabaseDep,
    SessionDep,
    WriteLimit,
)
from milestone.api.problems import problem_responses
from milestone.api.schemas.common import bytes_of
from milestone.api.schemas.registry import (
    KeyRevocationCreate,
    KeyRotationCreate,
    OwnershipPublic,
    TransferCreate,
    VehicleCreate,
    VehicleKeyPublic,
    VehiclePublic,
)
from milestone.api.schemas.requests import MAX_JSON_INTEGER
from milestone.registry import vehicles
from milestone.registry.queries import PAGE_MAX, list_vehicles

router = APIRouter(
    prefix="/vehicles", tags=["vehicles"], responses=problem_responses(401, 403, 404)
)

VehicleId = Annotated[int, Path(ge=1, le=MAX_JSON_INTEGER)]
WRITES = problem_responses(409, 429)


@router.post("", status_code=status.HTTP_201_CREATED, summary="Register a vehicle",
    dependencies=[WriteLimit], responses=WRITES,
)
def register_vehicle(
    body: VehicleCreate, operator: CurrentOperator, database: DatabaseDep, clock: ClockDep
) -> VehiclePublic:
    def work(session: Session) -> VehiclePublic:
        vehicle = vehicles.register_vehicle(
            session, clock, vin=body.vin, public_key=bytes_of(body.public_key), model=body.model
        )
        return _view(session, vehicle.id)

    return database.run(work)


@router.get("", summary="Vehicles, newest first")
def read_vehicles(
    staff: CurrentStaff,
    session: SessionDep,
    before: Annotated[int | None, Query(ge=1, le=MAX_JSON_INTEGER)] = None,
    limit: Annotated[int, Query(ge=1, le=PAGE_MAX)] = 50,
) -> list[VehiclePublic]:
    found = list_vehicles(session, before=before, limit=limit)
    return [_view(session, vehicle.id) for vehicle in found]


@router.get("/{vehicle_id}", summary="A vehicle with its keys and owner")
def read_vehicle(vehicle_id: VehicleId, staff: CurrentStaff, session: SessionDep) -> VehiclePublic:
    return _view(session, vehicle_id)


@router.get("/{vehicle_id}/ownership", summary="Who owned the vehicle when")
def read_ownership(
    vehicle_id: VehicleId, staff: CurrentStaff, session: SessionDep
) -> list[OwnershipPublic]:
    return [OwnershipPublic.of(b) for b in vehicles.ownership_history(session, vehicle_id)]


@router.post("/{vehicle_id}/transfer", summary="Bind the vehicle to an owner from now",
    dependencies=[WriteLimit], responses=WRITES,
)
def transfer_vehicle(
    vehicle_id: VehicleId,
    body: TransferCreate,
    operator: CurrentOperator,
    database: DatabaseDep,
    clock: ClockDep,
) -> OwnershipPublic:
    """Also how a new vehicle gets its first owner; the previous binding ends now."""
    return OwnershipPublic.of(
        database.run(lambda s: vehicles.transfer_vehicle(s, clock, vehicle_id, body.owner_id))
    )


@router.post("/{vehicle_id}/release", summary="End the current ownership now",
    dependencies=[WriteLimit], responses=WRITES,
)
def release_vehicle(
    vehicle_id: VehicleId, operator: CurrentOperator, database: DatabaseDep, clock: ClockDep
) -> OwnershipPublic:
    binding = database.run(lambda s: vehicles.release_vehicle(s, clock, vehicle_id))
    return OwnershipPublic.of(binding)


@router.post(
    "/{vehicle_id}/keys", status_code=status.HTTP_201_CREATED,
    summary="Rotate the vehicle's key", dependencies=[WriteLimit], responses=WRITES,
)
def rotate_key(
    vehicle_id: VehicleId,
    body: KeyRotationCreate,
    operator: CurrentOperator,
    database: DatabaseDep,
    clock: ClockDep,
) -> VehicleKeyPublic:
    """The active key retires now; it still signs trips that ended before."""
    key = database.run(
        lambda s: vehicles.rotate_key(s, clock, vehicle_id, bytes_of(body.public_key))
    )
    return VehicleKeyPublic.of(key)


@router.post("/{vehicle_id}/keys/revoke", summary="Revoke a key from now on",
    dependencies=[WriteLimit], responses=WRITES,
)
def revoke_key(
    vehicle_id: VehicleId,
    body: KeyRevocationCreate,
    operator: CurrentOperator,
    database: DatabaseDep,
    clock: ClockDep,
) -> VehicleKeyPublic:
    """For a key known or feared stolen: every report judged after this is refused."""
    key = database.run(
        lambda s: vehicles.revoke_key(s, clock, vehicle_id, serial=body.serial, reason=body.reason)
    )
    return VehicleKeyPublic.of(key)


def _view(session: Session, vehicle_id: int) -> VehiclePublic:
    vehicle = vehicles.get_vehicle(session, vehicle_id)
    binding = vehicles.current_ownership(session, vehicle_id)
    return VehiclePublic.of(
        vehicle, None if binding is None else binding.owner_id,
        vehicles.key_history(session, vehicle_id),
    )
