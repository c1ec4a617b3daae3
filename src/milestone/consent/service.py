"""Granting and revoking consent, with a receipt for every change.

Consent is given per owner, vehicle and scope: `mileage` (trips count toward mining) and
`driving_behavior` (the behaviour summary may be kept and earns the multiplier). Only the
vehicle's current owner may grant; any owner may revoke what they granted, also after selling
the car. A grant is in force over `[granted_at, revoked_at)`. Granting again while in force
under new terms records the new terms version (a receipt, no gap); under the same terms it is
refused. A revocation erases the raw data of the scope (`milestone.consent.erasure`) and
returns a deletion receipt next to the revocation receipt.

Receipts form one hash chain per owner:
    hash = keccak256("milestone/consent-receipt/v1" NUL ‖ prev_hash ‖ uint64 owner ‖
                     uint64 vehicle ‖ scope[32] ‖ action[8] ‖ uint64 at ‖ terms_version[32])
with text fields ASCII, NUL-padded, and prev_hash the owner's previous receipt hash (32 zero
bytes for the first), so a receipt the owner holds proves the whole history before it.
"""

from __future__ import annotations

import struct
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Final

from sqlalchemy import select
from sqlalchemy.orm import Session

from milestone.clock import Clock
from milestone.consent.erasure import erase_scope
from milestone.consent.errors import (
    ConsentAlreadyGranted,
    ConsentNotGranted,
    InvalidTermsVersion,
    NotVehicleOwner,
    UnknownScope,
)
from milestone.consent.models import ConsentGrant, ConsentReceipt, DeletionReceipt
from milestone.events import emit, owner_address, vehicle_refs
from milestone.registry.models import Owner
from milestone.registry.owners import get_owner
from milestone.registry.vehicles import current_ownership, get_vehicle
from milestone.rules.hashing import keccak256
from milestone.rules.trips import ConsentPeriod

MILEAGE: Final[str] = "mileage"
DRIVING_BEHAVIOR: Final[str] = "driving_behavior"
SCOPES: Final[tuple[str, ...]] = (MILEAGE, DRIVING_BEHAVIOR)
GRANT: Final[str] = "grant"
REVOKE: Final[str] = "revoke"
RECEIPT_DOMAIN: Final[bytes] = b"milestone/consent-receipt/v1\x00"
DELETION_DOMAIN: Final[bytes] = b"milestone/deletion-receipt/v1\x00"
ZERO_HASH: Final[bytes] = bytes(32)
TERMS_VERSION_LENGTH: Final[int] = 32


@dataclass(frozen=True, slots=True)
class Receipt:
    """What the owner gets back for a change of consent."""

    id: int
    owner_id: int
    vehicle_id: int
    scope: str
    action: str
    at: int
    terms_version: str
    hash: bytes


@dataclass(frozen=True, slots=True)
class Deletion:
    """What a revocation erased."""

    id: int
    consent_receipt_id: int
    scope: str
    at: int
    items_erased: int
    hash: bytes


@dataclass(frozen=True, slots=True)
class Revocation:
    receipt: Receipt
    deletion: Deletion


def receipt_hash(
    prev_hash: bytes, owner_id: int, vehicle_id: int, scope: str, action: str, at: int, terms: str
) -> bytes:
    """The hash of a consent receipt (layout in the module docstring)."""
    body = struct.pack(
        ">32sQQ32s8sQ32s",
        prev_hash,
        owner_id,
        vehicle_id,
        scope.encode("ascii"),
        action.encode("ascii"),
        at,
        terms.encode("ascii"),
    )
    return keccak256(RECEIPT_DOMAIN + body)


def deletion_hash(consent_receipt: bytes, scope: str, at: int, items_erased: int) -> bytes:
    """keccak256(domain ‖ revocation receipt hash ‖ scope[32] ‖ uint64 at ‖ uint64 items)."""
    body = struct.pack(">32s32sQQ", consent_receipt, scope.encode("ascii"), at, items_erased)
    return keccak256(DELETION_DOMAIN + body)


def check_scope(scope: object) -> str:
    if scope not in SCOPES:
        raise UnknownScope(f"scope must be one of {', '.join(SCOPES)}, not {scope!r}")
    assert isinstance(scope, str)
    return scope


def check_terms_version(terms_version: object) -> str:
    if (
        not isinstance(terms_version, str)
        or not 0 < len(terms_version) <= TERMS_VERSION_LENGTH
        or not terms_version.isascii()
        or not terms_version.isprintable()
    ):
        raise InvalidTermsVersion(
            f"a terms version is 1 to {TERMS_VERSION_LENGTH} printable ASCII characters"
        )
    return terms_version


def grant_consent(
    session: Session,
    clock: Clock,
    *,
    owner_id: int,
    vehicle_id: int,
    scope: str,
    terms_version: str,
) -> Receipt:
    """Grant `scope` on the vehicle from now, under `terms_version`. No commit."""
    scope = check_scope(scope)
    terms_version = check_terms_version(terms_version)
    lock_owner(session, owner_id)
    # The intake locks the vehicle too: a report is judged wholly before or after a change of
    # consent, so raw data is never written after the erasure that should have removed it.
    get_vehicle(session, vehicle_id, lock=True)
    binding = current_ownership(session, vehicle_id)
    if binding is None or binding.owner_id != owner_id:
        raise NotVehicleOwner(f"owner {owner_id} does not own vehicle {vehicle_id} now")
    grant = grant_in_force(session, owner_id, vehicle_id, scope)
    if grant is not None and grant.terms_version == terms_version:
        raise ConsentAlreadyGranted(f"{scope} is already granted under terms {terms_version}")
    receipt = write_receipt(session, clock, owner_id, vehicle_id, scope, GRANT, terms_version)
    if grant is None:
        session.add(
            ConsentGrant(
                owner_id=owner_id,
                vehicle_id=vehicle_id,
                scope=scope,
                terms_version=terms_version,
                granted_at=receipt.at,
                grant_receipt_id=receipt.id,
            )
        )
    else:
        grant.terms_version = terms_version
    session.flush()
    emit(session, "consent.granted", consent_payload(session, receipt), at=receipt.at)
    return receipt


def revoke_consent(
    session: Session, clock: Clock, *, owner_id: int, vehicle_id: int, scope: str
) -> Revocation:
    """Revoke `scope` on the vehicle now and erase its raw data. No commit."""
    scope = check_scope(scope)
    lock_owner(session, owner_id)
    # The intake locks the vehicle too: a report is judged wholly before or after a change of
    # consent, so raw data is never written after the erasure that should have removed it.
    get_vehicle(session, vehicle_id, lock=True)
    grant = grant_in_force(session, owner_id, vehicle_id, scope)
    if grant is None:
        raise ConsentNotGranted(f"{scope} is not granted on vehicle {vehicle_id}")
    receipt = write_receipt(
        session, clock, owner_id, vehicle_id, scope, REVOKE, grant.terms_version
    )
    grant.revoked_at = receipt.at
    grant.revoke_receipt_id = receipt.id
    session.flush()
    erased = erase_scope(session, owner_id, vehicle_id, scope, receipt.at)
    row = DeletionReceipt(
        consent_receipt_id=receipt.id,
        owner_id=owner_id,
        vehicle_id=vehicle_id,
        scope=scope,
        at=receipt.at,
        items_erased=erased,
        hash=deletion_hash(receipt.hash, scope, receipt.at, erased),
    )
    session.add(row)
    session.flush()
    emit(session, "consent.revoked", consent_payload(session, receipt) | {"items_erased": erased},
         at=receipt.at)
    return Revocation(receipt, as_deletion(row))


def consent_payload(session: Session, receipt: Receipt) -> dict[str, object]:
    """What a `consent.*` event says: owner and vehicle by their published ids, the receipt."""
    return {
        "owner": owner_address(session, receipt.owner_id),
        "vehicle": vehicle_refs(session, [receipt.vehicle_id])[receipt.vehicle_id],
        "scope": receipt.scope, "terms_version": receipt.terms_version,
        "receipt": "0x" + receipt.hash.hex(),
    }


def lock_owner(session: Session, owner_id: int) -> None:
    """Lock the owner's row: their receipts chain one after another."""
    get_owner(session, owner_id)
    session.execute(select(Owner.id).where(Owner.id == owner_id).with_for_update())


def grant_in_force(
    session: Session, owner_id: int, vehicle_id: int, scope: str
) -> ConsentGrant | None:
    query = select(ConsentGrant).where(
        ConsentGrant.owner_id == owner_id,
        ConsentGrant.vehicle_id == vehicle_id,
        ConsentGrant.scope == scope,
        ConsentGrant.revoked_at.is_(None),
    )
    return session.execute(query).scalar_one_or_none()


def write_receipt(
    session: Session,
    clock: Clock,
    owner_id: int,
    vehicle_id: int,
    scope: str,
    action: str,
    terms_version: str,
) -> Receipt:
    last = session.execute(
        select(ConsentReceipt.hash)
        .where(ConsentReceipt.owner_id == owner_id)
        .order_by(ConsentReceipt.id.desc())
        .limit(1)
    ).scalar()
    prev_hash = bytes(last) if last is not None else ZERO_HASH
    at = clock.now()
    row = ConsentReceipt(
        owner_id=owner_id,
        vehicle_id=vehicle_id,
        scope=scope,
        action=action,
        at=at,
        terms_version=terms_version,
        prev_hash=prev_hash,
        hash=receipt_hash(prev_hash, owner_id, vehicle_id, scope, action, at, terms_version),
    )
    session.add(row)
    session.flush()
    return as_receipt(row)


def as_receipt(row: ConsentReceipt) -> Receipt:
    return Receipt(
        id=row.id,
        owner_id=row.owner_id,
        vehicle_id=row.vehicle_id,
        scope=row.scope,
        action=row.action,
        at=row.at,
        terms_version=row.terms_version,
        hash=bytes(row.hash),
    )


def as_deletion(row: DeletionReceipt) -> Deletion:
    return Deletion(
        id=row.id,
        consent_receipt_id=row.consent_receipt_id,
        scope=row.scope,
        at=row.at,
        items_erased=row.items_erased,
        hash=bytes(row.hash),
    )


def consent_history(
    session: Session, owner_id: int, vehicle_id: int | None = None
) -> list[Receipt]:
    """Every change of the owner's consent (on one vehicle if given), oldest first."""
    get_owner(session, owner_id)
    query = select(ConsentReceipt).where(ConsentReceipt.owner_id == owner_id)
    if vehicle_id is not None:
        query = query.where(ConsentReceipt.vehicle_id == vehicle_id)
    rows = session.execute(query.order_by(ConsentReceipt.id)).scalars()
    return [as_receipt(row) for row in rows]


def deletion_history(session: Session, owner_id: int) -> list[Deletion]:
    """Every deletion receipt of the owner, oldest first."""
    get_owner(session, owner_id)
    query = select(DeletionReceipt).where(DeletionReceipt.owner_id == owner_id)
    rows = session.execute(query.order_by(DeletionReceipt.id)).scalars()
    return [as_deletion(row) for row in rows]


def verify_receipt_chain(session: Session, owner_id: int) -> bool:
    """True when every receipt of the owner hashes to its stored hash and links to the last."""
    prev_hash = ZERO_HASH
    query = select(ConsentReceipt).where(ConsentReceipt.owner_id == owner_id)
    rows = session.execute(query.order_by(ConsentReceipt.id)).scalars()
    for row in rows:
        expected = receipt_hash(
            prev_hash, row.owner_id, row.vehicle_id, row.scope, row.action, row.at,
            row.terms_version,
        )
        if bytes(row.prev_hash) != prev_hash or bytes(row.hash) != expected:
            return False
        prev_hash = expected
    return True


def consent_at(
    session: Session, owner_id: int, vehicle_id: int, instant: int
) -> dict[str, bool]:
    """Which scopes the owner's consent on the vehicle covered at `instant`."""
    periods = load_consent_periods(session, [(owner_id, vehicle_id)])
    return {
        scope: any(
            p.granted_at <= instant and (p.revoked_at is None or instant < p.revoked_at)
            for p in periods.get((owner_id, vehicle_id, scope), [])
        )
        for scope in SCOPES
    }


def load_consent_periods(
    session: Session, pairs: Iterable[tuple[int, int]]
) -> dict[tuple[int, int, str], list[ConsentPeriod]]:
    """The grant periods of each (owner, vehicle), by scope, in one query."""
    wanted = set(pairs)
    periods: dict[tuple[int, int, str], list[ConsentPeriod]] = defaultdict(list)
    if not wanted:
        return periods
    # By vehicle alone (a plain IN list is cheaper to send than pairs); other owners' grants on
    # the same vehicles are dropped here.
    query = select(
        ConsentGrant.owner_id,
        ConsentGrant.vehicle_id,
        ConsentGrant.scope,
        ConsentGrant.granted_at,
        ConsentGrant.revoked_at,
    ).where(ConsentGrant.vehicle_id.in_(sorted({vehicle for _, vehicle in wanted})))
    for owner_id, vehicle_id, scope, granted_at, revoked_at in session.execute(query):
        if (owner_id, vehicle_id) in wanted:
            periods[(owner_id, vehicle_id, scope)].append(ConsentPeriod(granted_at, revoked_at))
    return periods
