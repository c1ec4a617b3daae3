"""Vehicles: registration with VIN and factory key, key rotation and revocation, ownership.

A vehicle has one active key at a time. A rotation retires the active key and adds the next
one: the retired key still signs trips that ended before the rotation (the car may upload them
late). A revocation (a key known or feared stolen) stops the key for every report judged after
it, whatever instants the report claims. Ownership is a chain of bindings `[started_at,
ended_at)`; a transfer ends the current binding at the instant the next begins, so the owner at
any instant is unique and the trips of that instant are credited to them.
"""

from __future__ import annotations

from nacl.bindings import crypto_core_ed25519_is_valid_point, crypto_sign_ed25519_pk_to_curve25519
from nacl.exceptions import CryptoError
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from milestone.clock import Clock
from milestone.program.service import load_program
from milestone.registry.errors import (
    AlreadyOwner,
    InvalidField,
    InvalidPublicKey,
    KeyAlreadyRevoked,
    PublicKeyInUse,
    UnknownKey,
    UnknownVehicle,
    VehicleNotOwned,
    VinAlreadyRegistered,
)
from milestone.registry.models import Ownership, Vehicle, VehicleKey
from milestone.registry.owners import get_owner
from milestone.registry.vin import hash_vin, normalize_vin

PUBLIC_KEY_BYTES = 32
MAX_MODEL_LENGTH = 64
MAX_REASON_LENGTH = 200


def validate_public_key(public_key: object) -> bytes:
    """The 32 bytes of an Ed25519 public key that is a valid curve point."""
    if not isinstance(public_key, bytes | bytearray) or len(public_key) != PUBLIC_KEY_BYTES:
        raise InvalidPublicKey(f"an Ed25519 public key is {PUBLIC_KEY_BYTES} bytes")
    key = bytes(public_key)
    # libsodium's point validation is the cheaper check (no conversion to Curve25519: 34 µs
    # against 38), and refuses also the non-canonical encodings of a point, which the
    # conversion accepts: those fall back to the conversion, so the keys accepted are exactly
    # the ones it accepts (not on the curve, of small order, or outside the prime-order
    # subgroup are refused by both; tests/registry compares the two on every non-canonical
    # encoding and on random bytes).
    if crypto_core_ed25519_is_valid_point(key):
        return key
    try:
        crypto_sign_ed25519_pk_to_curve25519(key)
    except CryptoError:
        raise InvalidPublicKey("these 32 bytes are not a point of Ed25519") from None
    return key


def register_vehicle(
    session: Session, clock: Clock, *, vin: str, public_key: bytes, model: str | None = None
) -> Vehicle:
    """Register a vehicle with its VIN and factory key (serial 1). No commit."""
    vin = normalize_vin(vin)
    public_key = validate_public_key(public_key)
    if model is not None and not 0 < len(model) <= MAX_MODEL_LENGTH:
        raise InvalidField(f"a model name is 1 to {MAX_MODEL_LENGTH} characters")
    if session.execute(select(Vehicle.id).where(Vehicle.vin == vin)).first() is not None:
        raise VinAlreadyRegistered(f"VIN {vin} is already registered", vin=vin)
    ensure_key_unused(session, public_key)
    now = clock.now()
    salt = load_program(session).pseudonym_salt
    vehicle = Vehicle(vin=vin, vin_hash=hash_vin(salt, vin), model=model, registered_at=now)
    session.add(vehicle)
    try:
        session.flush()
    except IntegrityError:
        raise VinAlreadyRegistered(f"VIN {vin} is already registered", vin=vin) from None
    session.add(VehicleKey(vehicle_id=vehicle.id, serial=1, public_key=public_key, added_at=now))
    session.flush()
    return vehicle


def ensure_key_unused(session: Session, public_key: bytes) -> None:
    """Refuse a key any vehicle ever used: one key, one car, forever."""
    used = select(VehicleKey.id).where(VehicleKey.public_key == public_key)
    if session.execute(used).first() is not None:
        raise PublicKeyInUse("this public key is already registered")


def get_vehicle(session: Session, vehicle_id: int, *, lock: bool = False) -> Vehicle:
    """The vehicle `vehicle_id`; with `lock`, its row is locked until the transaction ends."""
    query = select(Vehicle).where(Vehicle.id == vehicle_id)
    if lock:
        query = query.with_for_update()
    vehicle = session.execute(query).scalar_one_or_none()
    if vehicle is None:
        raise UnknownVehicle(f"no vehicle {vehicle_id}", vehicle_id=vehicle_id)
    return vehicle


def find_vehicle_by_vin(session: Session, vin: str) -> Vehicle | None:
    """The vehicle registered with `vin`, if any."""
    query = select(Vehicle).where(Vehicle.vin == normalize_vin(vin))
    return session.execute(query).scalar_one_or_none()


def key_history(session: Session, vehicle_id: int) -> list[VehicleKey]:
    """Every key the vehicle was given, oldest first."""
    get_vehicle(session, vehicle_id)
    query = select(VehicleKey).where(VehicleKey.vehicle_id == vehicle_id)
    return list(session.execute(query.order_by(VehicleKey.serial)).scalars())


def active_key(session: Session, vehicle_id: int) -> VehicleKey | None:
    """The key the vehicle signs with now, None after a revocation until the next rotation."""
    query = select(VehicleKey).where(
        VehicleKey.vehicle_id == vehicle_id,
        VehicleKey.retired_at.is_(None),
        VehicleKey.revoked_at.is_(None),
    )
    return session.execute(query).scalar_one_or_none()


def rotate_key(session: Session, clock: Clock, vehicle_id: int, public_key: bytes) -> VehicleKey:
    """Retire the active key (if any) now and make `public_key` the next one. No commit."""
    public_key = validate_public_key(public_key)
    get_vehicle(session, vehicle_id, lock=True)
    ensure_key_unused(session, public_key)
    now = clock.now()
    current = active_key(session, vehicle_id)
    if current is not None:
        current.retired_at = now
    last_serial = session.execute(
        select(func.max(VehicleKey.serial)).where(VehicleKey.vehicle_id == vehicle_id)
    ).scalar_one()
    key = VehicleKey(
        vehicle_id=vehicle_id, serial=(last_serial or 0) + 1, public_key=public_key, added_at=now
    )
    session.add(key)
    session.flush()
    return key


def revoke_key(
    session: Session, clock: Clock, vehicle_id: int, *, serial: int | None = None, reason: str
) -> VehicleKey:
    """Revoke a key of the vehicle (default: the active one) from now on. No commit."""
    if not 0 < len(reason) <= MAX_REASON_LENGTH:
        raise InvalidField(f"a reason is 1 to {MAX_REASON_LENGTH} characters")
    get_vehicle(session, vehicle_id, lock=True)
    if serial is None:
        key = active_key(session, vehicle_id)
    else:
        query = select(VehicleKey).where(
            VehicleKey.vehicle_id == vehicle_id, VehicleKey.serial == serial
        )
        key = session.execute(query).scalar_one_or_none()
    if key is None:
        raise UnknownKey(f"vehicle {vehicle_id} has no such key", vehicle_id=vehicle_id)
    if key.revoked_at is not None:
        raise KeyAlreadyRevoked(f"key {key.serial} of vehicle {vehicle_id} is already revoked")
    key.revoked_at = clock.now()
    key.revoke_reason = reason
    session.flush()
    return key


def current_ownership(session: Session, vehicle_id: int) -> Ownership | None:
    """The binding in force now (the one not yet ended)."""
    query = select(Ownership).where(
        Ownership.vehicle_id == vehicle_id, Ownership.ended_at.is_(None)
    )
    return session.execute(query).scalar_one_or_none()


def transfer_vehicle(session: Session, clock: Clock, vehicle_id: int, owner_id: int) -> Ownership:
    """Bind the vehicle to `owner_id` from now, ending the previous owner's binding now.

    This is also how a new vehicle gets its first owner. No commit.
    """
    get_vehicle(session, vehicle_id, lock=True)
    get_owner(session, owner_id)
    now = clock.now()
    current = current_ownership(session, vehicle_id)
    if current is not None:
        if current.owner_id == owner_id:
            raise AlreadyOwner(f"owner {owner_id} already owns vehicle {vehicle_id}")
        current.ended_at = now
    binding = Ownership(vehicle_id=vehicle_id, owner_id=owner_id, started_at=now)
    session.add(binding)
    session.flush()
    return binding


def release_vehicle(session: Session, clock: Clock, vehicle_id: int) -> Ownership:
    """End the current binding now (sold outside the program, scrapped). No commit."""
    get_vehicle(session, vehicle_id, lock=True)
    current = current_ownership(session, vehicle_id)
    if current is None:
        raise VehicleNotOwned(f"vehicle {vehicle_id} has no owner")
    current.ended_at = clock.now()
    session.flush()
    return current


def ownership_history(session: Session, vehicle_id: int) -> list[Ownership]:
    """Every binding of the vehicle, oldest first."""
    get_vehicle(session, vehicle_id)
    query = select(Ownership).where(Ownership.vehicle_id == vehicle_id)
    return list(session.execute(query.order_by(Ownership.started_at, Ownership.id)).scalars())


def owner_at(session: Session, vehicle_id: int, instant: int) -> int | None:
    """The owner of the vehicle at `instant`, None if it had none."""
    query = select(Ownership.owner_id).where(
        Ownership.vehicle_id == vehicle_id,
        Ownership.started_at <= instant,
        (Ownership.ended_at.is_(None)) | (Ownership.ended_at > instant),
    )
    return session.execute(query.order_by(Ownership.started_at.desc()).limit(1)).scalar()
