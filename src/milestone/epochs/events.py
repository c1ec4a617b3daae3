"""What a finalized epoch tells the outside: the epoch itself, each owner's drops, a dividend,
and the stones whose spend lock ran out since the previous finalization.

Emitted in the transaction that marks the epoch finalized, after the chain accepted it: an
owner app may tell its owner "your stones fell" only once nothing can take them back.
"""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from milestone.epochs.models import FINALIZED, EpochRecord, EpochRewardRecord
from milestone.events import emit, emit_many
from milestone.events.outbox import hex_of
from milestone.store.unlocks import emit_time_unlocks


def emit_finalized(session: Session, row: EpochRecord, transaction: str | None) -> None:
    """`epoch.finalized`, one `drops.credited` per rewarded owner, `dividend.committed`, one
    `stones.unlocked` per owner whose locks ran out since the previous finalization."""
    at = row.finalized_at or 0
    roots = {"state_root": row.state_root, "rewards_root": row.rewards_root,
             "journal_head": row.journal_head, "file_hash": row.file_hash}
    emit(session, "epoch.finalized", {
        "epoch": row.epoch, "transaction": transaction, "paid": str(row.paid or 0),
        **{name: None if value is None else hex_of(value) for name, value in roots.items()},
    }, at=at)
    rewards = session.execute(
        select(EpochRewardRecord.address, EpochRewardRecord.amount)
        .where(EpochRewardRecord.epoch == row.epoch, EpochRewardRecord.amount > 0)
        .order_by(EpochRewardRecord.address)
    )
    emit_many(session, "drops.credited", [
        {"epoch": row.epoch, "owner": hex_of(address), "amount": str(amount)}
        for address, amount in rewards
    ], at=at)
    if row.dividends_fen and row.dividends_root is not None:
        emit(session, "dividend.committed", {
            "epoch": row.epoch, "root": hex_of(row.dividends_root),
            "amount_fen": str(row.dividends_fen),
        }, at=at)
    # Unlocking is time passing, which no transaction marks: this one sweeps the window since
    # the previous finalization, so the windows meet end to end and each unlock is told once.
    previous = session.execute(
        select(func.max(EpochRecord.finalized_at))
        .where(EpochRecord.status == FINALIZED, EpochRecord.epoch < row.epoch)
    ).scalar_one()
    emit_time_unlocks(session, previous or 0, at)
