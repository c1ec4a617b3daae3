"""What other services ask of settlement: which epochs are finalized, and queuing a dividend
root for the next finalized epoch to commit on-chain.

Dividends (issue 7) declare entitlements only for a finalized record epoch and hand their
entitlement tree's root to `queue_dividends_root`; the next epoch settled commits it with its
`finalize` (one root per epoch, oldest first) and `dividends_commitment` then says which.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from milestone.clock import Clock
from milestone.epochs.errors import DividendsRootConflict
from milestone.epochs.models import FINALIZED, DividendsRootRecord, EpochRecord
from milestone.errors import MilestoneError

HASH_BYTES = 32
REFERENCE_MAX = 64


class InvalidDividendsRoot(MilestoneError):
    code = "invalid_dividends_root"
    http_status = 422


@dataclass(frozen=True)
class EpochStatus:
    epoch: int
    status: str
    state_root: bytes | None
    rewards_root: bytes | None
    file_hash: bytes | None
    finalized_at: int | None


def is_epoch_finalized(session: Session, epoch: int) -> bool:
    """Whether `epoch` is finalized on-chain (as settlement recorded it)."""
    status = session.execute(
        select(EpochRecord.status).where(EpochRecord.epoch == epoch)
    ).scalar_one_or_none()
    return status == FINALIZED


def last_finalized_epoch(session: Session) -> int | None:
    """The latest finalized epoch, None before the first."""
    latest: int | None = session.execute(
        select(func.max(EpochRecord.epoch)).where(EpochRecord.status == FINALIZED)
    ).scalar_one()
    return latest


def epoch_statuses(
    session: Session, *, limit: int = 100, before: int | None = None
) -> list[EpochStatus]:
    """Settled and settling epochs, newest first."""
    query = select(EpochRecord).order_by(EpochRecord.epoch.desc()).limit(limit)
    if before is not None:
        query = query.where(EpochRecord.epoch < before)
    return [
        EpochStatus(
            row.epoch,
            row.status,
            row.state_root,
            row.rewards_root,
            row.file_hash,
            row.finalized_at,
        )
        for row in session.execute(query).scalars()
    ]


def queue_dividends_root(
    session: Session, clock: Clock, reference: str, root: bytes, amount_fen: int
) -> None:
    """Queue an entitlement root to be committed with the next finalized epoch. No commit.

    Idempotent by `reference` (a dividend's id, say): queuing it again with the same root and
    amount changes nothing; with another, `DividendsRootConflict`.
    """
    if not isinstance(reference, str) or not 0 < len(reference) <= REFERENCE_MAX:
        raise InvalidDividendsRoot(f"a reference is 1 to {REFERENCE_MAX} characters")
    if not isinstance(root, bytes) or len(root) != HASH_BYTES or root == bytes(HASH_BYTES):
        raise InvalidDividendsRoot("a dividends root is 32 bytes, not all zero")
    if type(amount_fen) is not int or amount_fen <= 0:
        raise InvalidDividendsRoot(
            f"the amount must be a positive integer of fen, not {amount_fen!r}"
        )
    existing = session.get(DividendsRootRecord, reference)
    if existing is not None:
        if (bytes(existing.root), existing.amount_fen) != (root, amount_fen):
            raise DividendsRootConflict(
                f"dividend {reference!r} was queued with another root or amount"
            )
        return
    session.add(
        DividendsRootRecord(
            reference=reference, root=root, amount_fen=amount_fen, queued_at=clock.now()
        )
    )
    session.flush()


def dividends_commitment(session: Session, reference: str) -> int | None:
    """The finalized epoch that committed the root queued as `reference`, None while it waits."""
    record = session.get(DividendsRootRecord, reference)
    if record is None or record.epoch is None or not is_epoch_finalized(session, record.epoch):
        return None
    return record.epoch


def next_dividends_root(session: Session) -> DividendsRootRecord | None:
    """The oldest root still waiting for an epoch."""
    return session.execute(
        select(DividendsRootRecord)
        .where(DividendsRootRecord.epoch.is_(None))
        .order_by(DividendsRootRecord.queued_at, DividendsRootRecord.reference)
        .limit(1)
    ).scalar_one_or_none()
