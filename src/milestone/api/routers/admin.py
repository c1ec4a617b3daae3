"""Administration: settling closed epochs, and where settlement stands."""

from __future__ import annotations

from fastapi import APIRouter

from milestone.api.deps import (
    ClockDep,
    ContextDep,
    CurrentOperator,
    CurrentStaff,
    PrimarySessionDep,
    WriteLimit,
)
from milestone.api.problems import problem_responses
from milestone.api.schemas.admin import SettleCreate, SettledEpochPublic, SettlementStatusPublic
from milestone.api.schemas.common import Instant, hex_of
from milestone.dividends.commitments import dividends_commitment
from milestone.epochs.settle import first_unsettled_epoch, settle
from milestone.epochs.setup import open_settlement
from milestone.epochs.status import last_finalized_epoch
from milestone.epochs.views import last_closed_epoch_at
from milestone.ledger import read_head, totals
from milestone.ledger.calendar import load_calendar
from milestone.program.service import load_program
from milestone.telemetry.queries import intake_totals

router = APIRouter(
    prefix="/admin", tags=["admin"], responses=problem_responses(401, 403, 409, 503)
)


@router.post(
    "/settle", summary="Settle every closed epoch (or up to one)", dependencies=[WriteLimit],
    responses=problem_responses(429),
)
def settle_epochs(
    body: SettleCreate, operator: CurrentOperator, context: ContextDep, clock: ClockDep
) -> list[SettledEpochPublic]:
    """Runs each epoch's steps and finalizes it on-chain; resumable, one settler at a time
    (`settlement_in_progress` if another is at work)."""
    with open_settlement(
        context.settings, clock, dividends=dividends_commitment, database=context.database
    ) as ctx:
        settled = settle(ctx, body.through_epoch)
    return [SettledEpochPublic.of(epoch) for epoch in settled]


@router.get("/status", summary="Where settlement stands")
def read_status(
    staff: CurrentStaff, session: PrimarySessionDep, context: ContextDep, clock: ClockDep
) -> SettlementStatusPublic:
    program = load_program(session)
    now = clock.now()
    closed = last_closed_epoch_at(program, now, context.settings.settle_grace_seconds)
    first_unsettled = first_unsettled_epoch(session)
    head = read_head(session)
    intake = intake_totals(session)
    return SettlementStatusPublic(
        now=Instant.of(now), current_epoch=load_calendar(session).epoch_of(now),
        last_closed_epoch=closed, first_unsettled_epoch=first_unsettled,
        last_finalized_epoch=last_finalized_epoch(session),
        epochs_to_settle=max(0, closed - first_unsettled + 1), journal_seq=head.seq,
        journal_head=hex_of(head.hash), ledger_reconciles=totals(session).reconciles,
        trips=intake["trips"], rejections=intake["rejections"],
    )
