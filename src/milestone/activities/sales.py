"""Sales systems: the dealer back offices whose signed delivery confirmations pay referrals.

The operator registers each one with its Ed25519 public key (it signs confirmations) and gives
it an API key (it authenticates its calls). The private key never leaves the sales system.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from milestone.activities.errors import InvalidSalesSystem, SalesSystemTaken, UnknownSalesSystem
from milestone.activities.models import SalesSystem
from milestone.apikeys import InvalidApiKey, check_api_key, issue_api_key, parse_key_id
from milestone.clock import Clock
from milestone.ledger.journal import lock_head
from milestone.registry.vehicles import validate_public_key

API_KEY_PREFIX = "ss"
NAME_MAX_LENGTH = 64


def register_sales_system(
    session: Session, clock: Clock, name: str, public_key: bytes
) -> tuple[SalesSystem, str]:
    """Register a sales system; returns it and its API key (shown once). No commit."""
    if not isinstance(name, str) or not 0 < len(name.strip()) <= NAME_MAX_LENGTH:
        raise InvalidSalesSystem(f"a sales system's name is 1 to {NAME_MAX_LENGTH} characters")
    public_key = validate_public_key(public_key)
    lock_head(session)
    taken = session.execute(
        select(SalesSystem.id).where(
            (SalesSystem.name == name.strip()) | (SalesSystem.public_key == public_key)
        )
    ).first()
    if taken is not None:
        raise SalesSystemTaken("a sales system with this name or public key is registered")
    issued = issue_api_key(API_KEY_PREFIX)
    system = SalesSystem(
        name=name.strip(), public_key=public_key, api_key_id=issued.key_id,
        api_key_hash=issued.key_hash, registered_at=clock.now(),
    )
    session.add(system)
    session.flush()
    return system, issued.key


def get_sales_system(session: Session, sales_system_id: int) -> SalesSystem:
    """The sales system, refused if unknown or revoked."""
    system = session.get(SalesSystem, sales_system_id)
    if system is None or system.revoked_at is not None:
        raise UnknownSalesSystem(
            f"no active sales system {sales_system_id}", sales_system_id=sales_system_id
        )
    return system


def authenticate_sales_system(session: Session, api_key: str) -> SalesSystem:
    """The active sales system holding `api_key`; `InvalidApiKey` otherwise."""
    key_id = parse_key_id(api_key, API_KEY_PREFIX)
    system = session.execute(
        select(SalesSystem).where(SalesSystem.api_key_id == key_id)
    ).scalar_one_or_none()
    if system is None or system.revoked_at is not None:
        raise InvalidApiKey("the API key is not valid")
    check_api_key(api_key, system.api_key_hash)
    return system


def revoke_sales_system(session: Session, clock: Clock, sales_system_id: int) -> SalesSystem:
    """Stop accepting the sales system's key and confirmations. No commit."""
    system = get_sales_system(session, sales_system_id)
    system.revoked_at = clock.now()
    session.flush()
    return system
