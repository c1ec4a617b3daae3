"""What settlement tells the rest of the program about its epochs: their statuses, which are
final, and the owners' balances each one committed on-chain.

An epoch is final once the `finalize` step committed it on-chain and marked it `finalized`;
epochs finalize in order, so the last one bounds them all. Services that need final balances
(dividends) read them here and settlement never reads them back, so the dependency points one
way.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from milestone.epochs.models import FINALIZED, EpochRecord, OwnerBalanceRecord


@dataclass(frozen=True)
class EpochStatus:
    """An epoch as the explorer and the operator console show it."""

    epoch: int
    status: str
    paid: int | None
    rollover_out: int | None
    weights_root: bytes
    seed: bytes | None
    state_root: bytes | None
    rewards_root: bytes | None
    file_hash: bytes | None
    started_at: int
    finalized_at: int | None


def epoch_statuses(
    session: Session, *, limit: int = 100, before: int | None = None
) -> list[EpochStatus]:
    """Settled and settling epochs, newest first, `limit` of them before epoch `before`."""
    query = select(EpochRecord).order_by(EpochRecord.epoch.desc()).limit(limit)
    if before is not None:
        query = query.where(EpochRecord.epoch < before)
    return [
        EpochStatus(
            epoch=row.epoch,
            status=row.status,
            paid=row.paid,
            rollover_out=row.rollover_out,
            weights_root=bytes(row.weights_root),
            seed=_bytes(row.seed),
            state_root=_bytes(row.state_root),
            rewards_root=_bytes(row.rewards_root),
            file_hash=_bytes(row.file_hash),
            started_at=row.started_at,
            finalized_at=row.finalized_at,
        )
        for row in session.execute(query).scalars()
    ]


def is_epoch_finalized(session: Session, epoch: int) -> bool:
    """Whether `epoch` was settled and committed on-chain: its balances are final."""
    row = session.get(EpochRecord, epoch)
    return row is not None and row.status == FINALIZED


def last_finalized_epoch(session: Session) -> int | None:
    """The newest finalized epoch, None before the first."""
    return session.execute(
        select(func.max(EpochRecord.epoch)).where(EpochRecord.status == FINALIZED)
    ).scalar_one()


def settled_balances(session: Session, epoch: int) -> dict[int, tuple[bytes, int]]:
    """Every owner's `(address, balance)` in the state tree of settled `epoch`, by owner id.

    These are the balances committed on-chain with the epoch (and provable against its state
    root): what a record epoch's holdings are, whenever the epoch happened to be settled.
    """
    ranked = (
        select(
            OwnerBalanceRecord.owner_id,
            OwnerBalanceRecord.address,
            OwnerBalanceRecord.balance,
            func.row_number()
            .over(
                partition_by=OwnerBalanceRecord.owner_id, order_by=OwnerBalanceRecord.epoch.desc()
            )
            .label("recency"),
        )
        .where(OwnerBalanceRecord.epoch <= epoch)
        .subquery()
    )
    rows = session.execute(
        select(ranked.c.owner_id, ranked.c.address, ranked.c.balance).where(ranked.c.recency == 1)
    )
    return {owner_id: (bytes(address), balance) for owner_id, address, balance in rows}


def _bytes(value: bytes | None) -> bytes | None:
    return None if value is None else bytes(value)
