"""Settlement: every closed epoch, in order, through its steps, one settler at a time.

`settle` is what `milestone settle` and any service call: it takes the settlement lock, works
out which epochs are closed and not yet finalized, and runs each through `steps.STEPS`,
resuming an epoch left half-way by a crash at its first step not yet done.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from milestone.epochs import beacon, finalize, freeze, payout, publish, retention, state
from milestone.epochs.compute import paused_collection
from milestone.epochs.errors import EpochNotClosed
from milestone.epochs.lock import settlement_lock
from milestone.epochs.models import EpochRecord, EpochStepRecord
from milestone.epochs.steps import STEPS, Settlement, done_steps
from milestone.rules.time import epoch_of

STEP_FUNCTIONS: dict[str, Callable[[Settlement, int], None]] = {
    "freeze": freeze.freeze,
    "commit": beacon.commit,
    "post_weights": beacon.post_weights,
    "reveal": beacon.reveal,
    "drops": payout.drops,
    "activity": payout.activity,
    "postings": payout.postings,
    "state": state.state,
    "publish": publish.publish,
    "attest": finalize.attest,
    "finalize": finalize.finalize,
    "commit_ahead": beacon.commit_ahead,
}
assert tuple(STEP_FUNCTIONS) == STEPS


@dataclass(frozen=True)
class SettledEpoch:
    """What settling an epoch fixed, for reports."""

    epoch: int
    weights_root: bytes
    seed: bytes
    rewards_root: bytes
    state_root: bytes
    file_hash: bytes
    paid: int
    rollover_out: int


def last_closed_epoch(ctx: Settlement) -> int:
    """The latest epoch whose inputs cutoff has passed (-1 if none has yet)."""
    program = ctx.program
    seconds = program.parameters.epoch_seconds
    settle_point = ctx.clock.now() - ctx.grace_seconds
    if settle_point < program.genesis:
        return -1
    return epoch_of(settle_point, program.genesis, seconds) - 1


def first_unsettled_epoch(session: Session) -> int:
    """The first epoch with a step still to do."""
    complete = session.execute(
        select(func.max(EpochStepRecord.epoch)).where(EpochStepRecord.step == STEPS[-1])
    ).scalar_one()
    return 0 if complete is None else complete + 1


def settle(
    ctx: Settlement, through_epoch: int | None = None, *, wait: bool = False
) -> list[SettledEpoch]:
    """Settle every closed epoch not yet settled, through `through_epoch` (default: all closed).

    Refuses (`EpochNotClosed`) an epoch that is not closed; stops at the first step that cannot
    complete, with its named error, leaving every step done so far in place. Every run ends by
    committing the operator's beacon secret to the epochs it may commit to now, so a run from
    cron keeps the coming epochs committed before they start.
    """
    closed = last_closed_epoch(ctx)
    if through_epoch is not None and through_epoch > closed:
        raise EpochNotClosed(
            f"epoch {through_epoch} is not closed yet (the latest closed epoch is {closed})",
            epoch=through_epoch,
        )
    through = closed if through_epoch is None else through_epoch
    settled = []
    with settlement_lock(ctx.database, wait=wait):
        with ctx.database.session() as session:
            start = first_unsettled_epoch(session)
        for epoch in range(start, through + 1):
            settle_epoch(ctx, epoch)
            settled.append(settled_epoch(ctx, epoch))
        # Even with no epoch to settle, keep the operator's commitments ahead: where epoch ends
        # are enforced, an epoch that starts without them can never be seeded.
        beacon.commit_operator(ctx)
        retention.maintain(ctx.database, ctx.clock, ctx.dispute_window_seconds)
    return settled


def settle_epoch(ctx: Settlement, epoch: int) -> None:
    """Run the steps of `epoch` not done yet (the caller holds the settlement lock)."""
    with ctx.database.session() as session:
        done = set(done_steps(session, epoch))
    for step in STEPS:
        if step in done:
            continue
        ctx.hook(epoch, step, "start")
        with paused_collection():
            STEP_FUNCTIONS[step](ctx, epoch)
        ctx.hook(epoch, step, "done")


def settled_epoch(ctx: Settlement, epoch: int) -> SettledEpoch:
    """The settled values of `epoch`."""
    with ctx.database.session() as session:
        row = session.get(EpochRecord, epoch)
        assert row is not None and row.seed is not None and row.file_hash is not None
        return SettledEpoch(
            epoch=epoch,
            weights_root=bytes(row.weights_root),
            seed=bytes(row.seed),
            rewards_root=bytes(row.rewards_root or bytes(32)),
            state_root=bytes(row.state_root or bytes(32)),
            file_hash=bytes(row.file_hash),
            paid=row.paid or 0,
            rollover_out=row.rollover_out or 0,
        )
