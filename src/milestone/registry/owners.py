"""Owner accounts and their pseudonymous addresses.

An owner is published only as an EVM address derived from the program's secret salt and the
owner's id: the last 20 bytes of keccak256(pseudonym_salt ‖ uint256(owner id)), the way an
EVM address is the tail of a hash. Without the salt nobody can link an address to an account
number; with it, the operator can always recompute it. Identity hashes (a verified phone
number, a payment account) are kept salted too, only to find self-referrals later.
"""

from __future__ import annotations

from typing import Final

from sqlalchemy import or_, select, update
from sqlalchemy.orm import Session

from milestone.clock import Clock
from milestone.ledger.accounts import owner_account
from milestone.ledger.journal import open_account
from milestone.program.service import load_program
from milestone.registry.errors import InvalidIdentity, UnknownOwner
from milestone.registry.models import Owner
from milestone.rules.hashing import keccak256

ADDRESS_BYTES: Final[int] = 20
IDENTITY_DOMAIN: Final[bytes] = b"milestone/identity\x00"
MAX_IDENTITY_LENGTH: Final[int] = 200


def derive_owner_address(pseudonym_salt: bytes, owner_id: int) -> bytes:
    """The owner's pseudonymous address: keccak256(salt ‖ uint256(id))[12:]."""
    return keccak256(pseudonym_salt + owner_id.to_bytes(32, "big"))[-ADDRESS_BYTES:]


def hash_identity(pseudonym_salt: bytes, kind: str, value: str) -> bytes:
    """keccak256(domain ‖ salt ‖ kind ‖ NUL ‖ value), for a verified phone or payment account.

    The caller normalizes `value` (E.164 for phone numbers); the salt keeps a phone number from
    being found by hashing all of them.
    """
    if not isinstance(value, str) or not 0 < len(value) <= MAX_IDENTITY_LENGTH:
        raise InvalidIdentity(f"a {kind} identity is 1 to {MAX_IDENTITY_LENGTH} characters")
    return keccak256(IDENTITY_DOMAIN + pseudonym_salt + kind.encode() + b"\x00" + value.encode())


def create_owner(
    session: Session, clock: Clock, *, phone: str | None = None, payment: str | None = None
) -> Owner:
    """A new owner account with its address and its ledger account opened. No commit."""
    salt = load_program(session).pseudonym_salt
    owner = Owner(
        created_at=clock.now(),
        phone_hash=hash_identity(salt, "phone", phone) if phone is not None else None,
        payment_hash=hash_identity(salt, "payment", payment) if payment is not None else None,
    )
    session.add(owner)
    session.flush()  # the address derives from the id the database assigns
    owner.address = derive_owner_address(salt, owner.id)
    open_account(session, clock, owner_account(owner.id))
    session.flush()
    return owner


def get_owner(session: Session, owner_id: int) -> Owner:
    """The owner `owner_id`."""
    owner = session.get(Owner, owner_id)
    if owner is None:
        raise UnknownOwner(f"no owner {owner_id}", owner_id=owner_id)
    return owner


def find_owner_by_address(session: Session, address: bytes) -> Owner | None:
    """The owner published as `address`, if any."""
    return session.execute(select(Owner).where(Owner.address == address)).scalar_one_or_none()


def set_identity(
    session: Session, owner_id: int, *, phone: str | None = None, payment: str | None = None
) -> Owner:
    """Record a verified phone number or payment account of the owner. No commit."""
    owner = get_owner(session, owner_id)
    salt = load_program(session).pseudonym_salt
    values: dict[str, bytes] = {}
    if phone is not None:
        values["phone_hash"] = hash_identity(salt, "phone", phone)
    if payment is not None:
        values["payment_hash"] = hash_identity(salt, "payment", payment)
    if values:
        session.execute(update(Owner).where(Owner.id == owner_id).values(**values))
        session.refresh(owner)
    return owner


def owners_sharing_identity(session: Session, owner_id: int) -> list[int]:
    """Other owners with the same verified phone or payment account (self-referral evidence)."""
    owner = get_owner(session, owner_id)
    pairs = ((Owner.phone_hash, owner.phone_hash), (Owner.payment_hash, owner.payment_hash))
    clauses = [column == value for column, value in pairs if value is not None]
    if not clauses:
        return []
    rows = session.execute(select(Owner.id).where(or_(*clauses), Owner.id != owner_id))
    return sorted(rows.scalars())
