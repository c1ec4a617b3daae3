"""An owner's standing: certified (a verified car owner, which starts the spend lock's clock)
and revoked (closed by the operator, e.g. for fraud: no more rewards, codes refused).

The registry records who an owner is; this records what the program thinks of them.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.orm import Session

from milestone.activities.errors import OwnerRevoked
from milestone.activities.models import OwnerStanding
from milestone.clock import Clock
from milestone.ledger.journal import lock_head
from milestone.registry.owners import get_owner

REASON_MAX_LENGTH = 200


@dataclass(frozen=True)
class Standing:
    owner_id: int
    certified_at: int | None
    revoked_at: int | None

    @property
    def revoked(self) -> bool:
        return self.revoked_at is not None


def standing_of(session: Session, owner_id: int) -> Standing:
    """The owner's standing; an owner with no row is uncertified and in good standing."""
    get_owner(session, owner_id)
    row = session.get(OwnerStanding, owner_id)
    if row is None:
        return Standing(owner_id, None, None)
    return Standing(owner_id, row.certified_at, row.revoked_at)


def certify_owner(session: Session, clock: Clock, owner_id: int) -> Standing:
    """Record that the owner was certified; the first certification counts. No commit."""
    row = _row(session, owner_id)
    if row.certified_at is None:
        row.certified_at = clock.now()
        session.flush()
    return standing_of(session, owner_id)


def revoke_owner(session: Session, clock: Clock, owner_id: int, reason: str) -> Standing:
    """Revoke the owner's account (idempotent: the first revocation counts). No commit."""
    row = _row(session, owner_id)
    if row.revoked_at is None:
        row.revoked_at = clock.now()
        row.revoke_reason = reason[:REASON_MAX_LENGTH]
        session.flush()
    return standing_of(session, owner_id)


def require_in_good_standing(session: Session, owner_id: int) -> Standing:
    """The owner's standing; `OwnerRevoked` if the account was revoked."""
    standing = standing_of(session, owner_id)
    if standing.revoked:
        raise OwnerRevoked(f"owner {owner_id}'s account was revoked", owner_id=owner_id)
    return standing


def _row(session: Session, owner_id: int) -> OwnerStanding:
    lock_head(session)  # two concurrent first writes would both try to insert the row
    get_owner(session, owner_id)
    row = session.get(OwnerStanding, owner_id)
    if row is None:
        row = OwnerStanding(owner_id=owner_id)
        session.add(row)
    return row
