"""Bodies of owners and vehicles."""

from __future__ import annotations

from pydantic import BaseModel, Field

from milestone.api.schemas.activities import StandingPublic
from milestone.api.schemas.auth import USERNAME_SCHEMA_PATTERN, NewPasswordText, TokenPublic
from milestone.api.schemas.common import (
    Instant,
    hex_of,
    optional_hex,
    optional_instant,
)
from milestone.api.schemas.requests import IdIn, PublicKeyIn, RequestModel, VinText, integer, text
from milestone.registry.models import Owner, Ownership, Vehicle, VehicleKey


class OwnerCreate(RequestModel):
    """Sign-up: an owner account and the user that logs in to it."""

    username: str = Field(pattern=USERNAME_SCHEMA_PATTERN, examples=["ann@example.com"])
    """3 to 64 letters, digits or . _ @ + -, starting with a letter or digit; kept lower-case."""
    password: NewPasswordText


class VehicleSummaryPublic(BaseModel):
    id: int
    vin: str
    model: str | None

    @classmethod
    def of(cls, vehicle: Vehicle) -> VehicleSummaryPublic:
        return cls(id=vehicle.id, vin=vehicle.vin, model=vehicle.model)


class OwnerPublic(BaseModel):
    id: int
    address: str | None
    """The pseudonymous EVM address the owner appears as in published trees."""
    created_at: Instant
    username: str | None
    vehicles: list[VehicleSummaryPublic]

    @classmethod
    def of(cls, owner: Owner, username: str | None, vehicles: list[Vehicle]) -> OwnerPublic:
        return cls(
            id=owner.id, address=optional_hex(owner.address),
            created_at=Instant.of(owner.created_at), username=username,
            vehicles=[VehicleSummaryPublic.of(vehicle) for vehicle in vehicles],
        )


class SignupPublic(BaseModel):
    owner: OwnerPublic
    token: TokenPublic


class IdentityUpdate(RequestModel):
    """Identities the operator verified (a phone number in E.164, a payment account)."""

    phone: str | None = Field(default=None, min_length=1, max_length=200)
    payment: str | None = Field(default=None, min_length=1, max_length=200)


class OwnerStaffPublic(OwnerPublic):
    has_phone: bool
    has_payment: bool
    sharing_identity_with: list[int]
    """Other owners with the same verified phone or payment account."""
    standing: StandingPublic


class VehicleCreate(RequestModel):
    vin: VinText
    public_key: PublicKeyIn
    """The factory-provisioned Ed25519 key the car signs its reports with."""
    model: str | None = Field(default=None, min_length=1, max_length=64)


class VehicleKeyPublic(BaseModel):
    serial: int
    public_key: str
    added_at: Instant
    retired_at: Instant | None
    revoked_at: Instant | None
    revoke_reason: str | None

    @classmethod
    def of(cls, key: VehicleKey) -> VehicleKeyPublic:
        return cls(
            serial=key.serial, public_key=hex_of(key.public_key), added_at=Instant.of(key.added_at),
            retired_at=optional_instant(key.retired_at),
            revoked_at=optional_instant(key.revoked_at), revoke_reason=key.revoke_reason,
        )


class VehiclePublic(BaseModel):
    id: int
    vin: str
    vin_hash: str
    model: str | None
    registered_at: Instant
    owner_id: int | None
    """The owner now; null when nobody owns it."""
    keys: list[VehicleKeyPublic]

    @classmethod
    def of(cls, vehicle: Vehicle, owner_id: int | None, keys: list[VehicleKey]) -> VehiclePublic:
        return cls(
            id=vehicle.id, vin=vehicle.vin, vin_hash=hex_of(vehicle.vin_hash),
            model=vehicle.model, registered_at=Instant.of(vehicle.registered_at),
            owner_id=owner_id, keys=[VehicleKeyPublic.of(key) for key in keys],
        )


class TransferCreate(RequestModel):
    owner_id: IdIn


class OwnershipPublic(BaseModel):
    vehicle_id: int
    owner_id: int
    started_at: Instant
    ended_at: Instant | None

    @classmethod
    def of(cls, binding: Ownership) -> OwnershipPublic:
        return cls(
            vehicle_id=binding.vehicle_id, owner_id=binding.owner_id,
            started_at=Instant.of(binding.started_at), ended_at=optional_instant(binding.ended_at),
        )


class KeyRotationCreate(RequestModel):
    public_key: PublicKeyIn


class KeyRevocationCreate(RequestModel):
    serial: integer(1, 2**31 - 1) | None = None  # type: ignore[valid-type]
    """The key to revoke; the active one when absent."""
    reason: str = text(200)
