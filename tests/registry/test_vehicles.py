"""Vehicles: registration, key rotation and revocation, ownership over time."""

from __future__ import annotations

import pytest

from milestone.clock import ManualClock
from milestone.program.service import Program
from milestone.registry.errors import (
    AlreadyOwner,
    InvalidField,
    InvalidPublicKey,
    KeyAlreadyRevoked,
    PublicKeyInUse,
    UnknownKey,
    UnknownOwner,
    UnknownVehicle,
    VehicleNotOwned,
    VinAlreadyRegistered,
)
from milestone.registry.owners import create_owner
from milestone.registry.vehicles import (
    active_key,
    find_vehicle_by_vin,
    get_vehicle,
    key_history,
    owner_at,
    ownership_history,
    register_vehicle,
    release_vehicle,
    revoke_key,
    rotate_key,
    transfer_vehicle,
)
from milestone.registry.vin import InvalidVin, hash_vin, synthetic_vin
from milestone.storage import Database
from milestone.vehicle import generate_signing_key


def new_key() -> bytes:
    return bytes(generate_signing_key().verify_key)


def test_a_vehicle_is_registered_with_its_vin_hash_and_factory_key(
    database: Database, clock: ManualClock, program: Program
) -> None:
    key = new_key()
    with database.transaction() as session:
        vehicle = register_vehicle(session, clock, vin=synthetic_vin(1).lower(), public_key=key,
                                   model="IM L7")
    assert vehicle.vin == synthetic_vin(1)
    assert vehicle.vin_hash == hash_vin(program.pseudonym_salt, synthetic_vin(1))
    with database.session() as session:
        assert find_vehicle_by_vin(session, synthetic_vin(1)).id == vehicle.id  # type: ignore[union-attr]
        keys = key_history(session, vehicle.id)
        assert [(k.serial, bytes(k.public_key), k.retired_at, k.revoked_at) for k in keys] == [
            (1, key, None, None)
        ]


@pytest.mark.parametrize(
    ("changes", "error"),
    [
        ({"vin": "1M8GDM9A1KP042788"}, InvalidVin),
        ({"public_key": b"\x00" * 31}, InvalidPublicKey),
        ({"public_key": "not bytes"}, InvalidPublicKey),
        # 32 bytes that are not a point of the curve
        ({"public_key": bytes.fromhex("02" + "ff" * 31)}, InvalidPublicKey),
        ({"model": ""}, InvalidField),
        ({"model": "x" * 65}, InvalidField),
    ],
)
def test_bad_registrations_are_refused(
    database: Database, clock: ManualClock, program: Program, changes: dict[str, object],
    error: type,
) -> None:
    arguments: dict[str, object] = {"vin": synthetic_vin(1), "public_key": new_key(), **changes}
    with database.transaction() as session, pytest.raises(error):
        register_vehicle(session, clock, **arguments)  # type: ignore[arg-type]


def test_a_vin_or_key_is_registered_once(
    database: Database, clock: ManualClock, program: Program
) -> None:
    key = new_key()
    with database.transaction() as session:
        register_vehicle(session, clock, vin=synthetic_vin(1), public_key=key)
    with database.transaction() as session, pytest.raises(VinAlreadyRegistered):
        register_vehicle(session, clock, vin=synthetic_vin(1), public_key=new_key())
    with database.transaction() as session, pytest.raises(PublicKeyInUse):
        register_vehicle(session, clock, vin=synthetic_vin(2), public_key=key)


def test_rotation_retires_the_key_and_revocation_stops_it(
    database: Database, clock: ManualClock, program: Program
) -> None:
    with database.transaction() as session:
        vehicle = register_vehicle(session, clock, vin=synthetic_vin(1), public_key=new_key())
    clock.advance(100)
    second = new_key()
    with database.transaction() as session:
        rotate_key(session, clock, vehicle.id, second)
        with pytest.raises(PublicKeyInUse):
            rotate_key(session, clock, vehicle.id, second)
    clock.advance(100)
    with database.transaction() as session:
        revoked = revoke_key(session, clock, vehicle.id, reason="stolen")
        assert active_key(session, vehicle.id) is None
        with pytest.raises(KeyAlreadyRevoked):
            revoke_key(session, clock, vehicle.id, serial=2, reason="again")
        with pytest.raises(UnknownKey):
            revoke_key(session, clock, vehicle.id, reason="no active key left")
        with pytest.raises(InvalidField):
            revoke_key(session, clock, vehicle.id, serial=1, reason="")
    assert (revoked.serial, revoked.revoked_at) == (2, clock.now())
    with database.transaction() as session:
        third = rotate_key(session, clock, vehicle.id, new_key())
    with database.session() as session:
        history = [(k.serial, k.retired_at, k.revoked_at) for k in key_history(session, vehicle.id)]
        assert history == [
            (1, clock.now() - 100, None), (2, None, clock.now()), (3, None, None),
        ]
        assert active_key(session, vehicle.id).serial == third.serial  # type: ignore[union-attr]
        with pytest.raises(UnknownVehicle):
            get_vehicle(session, 999)


def test_ownership_is_a_chain_of_bindings_and_the_owner_at_an_instant_is_unique(
    database: Database, clock: ManualClock, program: Program
) -> None:
    start = clock.now()
    with database.transaction() as session:
        vehicle = register_vehicle(session, clock, vin=synthetic_vin(1), public_key=new_key())
        alice, bob = create_owner(session, clock), create_owner(session, clock)
        with pytest.raises(VehicleNotOwned):
            release_vehicle(session, clock, vehicle.id)
        transfer_vehicle(session, clock, vehicle.id, alice.id)
        with pytest.raises(AlreadyOwner):
            transfer_vehicle(session, clock, vehicle.id, alice.id)
        with pytest.raises(UnknownOwner):
            transfer_vehicle(session, clock, vehicle.id, 999)
    clock.advance(1_000)
    with database.transaction() as session:
        transfer_vehicle(session, clock, vehicle.id, bob.id)
    clock.advance(1_000)
    with database.transaction() as session:
        release_vehicle(session, clock, vehicle.id)
    with database.session() as session:
        bindings = [(b.owner_id, b.started_at, b.ended_at)
                    for b in ownership_history(session, vehicle.id)]
        assert bindings == [
            (alice.id, start, start + 1_000), (bob.id, start + 1_000, start + 2_000),
        ]
        assert owner_at(session, vehicle.id, start - 1) is None
        assert owner_at(session, vehicle.id, start + 999) == alice.id
        assert owner_at(session, vehicle.id, start + 1_000) == bob.id
        assert owner_at(session, vehicle.id, start + 2_000) is None


def accepted_by_conversion(candidate: bytes) -> bool:
    """The key check before point validation: libsodium's conversion to Curve25519."""
    from nacl.bindings import crypto_sign_ed25519_pk_to_curve25519
    from nacl.exceptions import CryptoError

    try:
        crypto_sign_ed25519_pk_to_curve25519(candidate)
    except CryptoError:
        return False
    return True


def accepted_by_check(candidate: bytes) -> bool:
    from milestone.registry.vehicles import validate_public_key

    try:
        validate_public_key(candidate)
    except InvalidPublicKey:
        return False
    return True


def test_the_key_check_accepts_exactly_what_the_conversion_to_curve25519_accepts() -> None:
    import random

    rng = random.Random(16)
    prime = 2**255 - 19
    candidates = [rng.randbytes(32) for _ in range(3_000)]
    candidates += [bytes(generate_signing_key().verify_key) for _ in range(50)]
    # Every non-canonical encoding (y = p + t) and every small y, with both signs of x.
    for y in [*range(prime, 2**255), *range(64)]:
        for sign in (0, 1 << 255):
            candidates.append((y | sign).to_bytes(32, "little"))
    verdicts = [(accepted_by_check(c), accepted_by_conversion(c)) for c in candidates]
    assert all(new == old for new, old in verdicts)
    assert 0 < sum(new for new, _ in verdicts) < len(candidates)  # both kinds were tried
