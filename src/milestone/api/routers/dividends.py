"""Dividends: the operator declares them and exchanges payout files with the fiat rails; every
owner sees their share with its Merkle proof; the declarations themselves are public."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Body, Path, Query, Response, status

from milestone.api.deps import (
    ClockDep,
    ContextDep,
    CurrentOperator,
    CurrentOwnerId,
    CurrentStaff,
    DatabaseDep,
    IdempotencyKey,
    SessionDep,
    WriteLimit,
)
from milestone.api.problems import problem_responses
from milestone.api.schemas.dividends import (
    DividendCreate,
    DividendLimitsPublic,
    DividendPublic,
    EntitlementProofPublic,
    EntitlementPublic,
    PayoutConfirmationPublic,
)
from milestone.api.schemas.requests import MAX_JSON_INTEGER
from milestone.dividends import commitments, declare, payouts
from milestone.dividends.limits import check_payment_date, dividend_limits, today_in
from milestone.program.service import load_program

router = APIRouter(prefix="/dividends", tags=["dividends"], responses=problem_responses(404))

DividendId = Annotated[int, Path(ge=1, le=MAX_JSON_INTEGER)]
MAX_PAYOUT_FILE = 4 * 1024 * 1024
WRITES = problem_responses(401, 403, 409, 429)


class CsvResponse(Response):
    media_type = "text/csv"


@router.post(
    "", status_code=status.HTTP_201_CREATED, summary="Declare a dividend",
    dependencies=[WriteLimit], responses=WRITES,
)
def declare_dividend(
    body: DividendCreate,
    operator: CurrentOperator,
    idempotency_key: IdempotencyKey,
    database: DatabaseDep,
    clock: ClockDep,
    context: ContextDep,
) -> DividendPublic:
    """On a finalized epoch; every owner's share is posted to the ledger at once. Refused above
    the program's ceiling for one declaration (`dividend_above_ceiling`, the rule
    `GET /dividends/limits` publishes), or with a payment date in the past."""
    check_payment_date(body.payment_date, today_in(context.settings.time_zone, clock.now()))
    dividend = database.run(
        lambda s: declare.declare_dividend(
            s, clock, amount_fen=body.amount_fen, record_epoch=body.record_epoch,
            payment_date=body.payment_date, note=body.note, key=idempotency_key,
        )
    )
    return DividendPublic.of(dividend)


@router.get("/limits", summary="What a dividend declared now may be")
def read_dividend_limits(
    session: SessionDep, context: ContextDep, clock: ClockDep
) -> DividendLimitsPublic:
    """Public: the program's ceiling for one declaration and the earliest payment date."""
    params = load_program(session).parameters
    limits = dividend_limits(params, context.settings.time_zone, clock.now())
    return DividendLimitsPublic.of(limits, context.settings.time_zone)


@router.get("", summary="Declared dividends")
def read_dividends(session: SessionDep) -> list[DividendPublic]:
    """Public: amounts, record epochs and the roots committed on-chain."""
    return [DividendPublic.of(dividend) for dividend in declare.list_dividends(session)]


@router.get("/{dividend_id}", summary="A declared dividend")
def read_dividend(dividend_id: DividendId, session: SessionDep) -> DividendPublic:
    return DividendPublic.of(declare.get_dividend(session, dividend_id))


@router.get(
    "/{dividend_id}/entitlements", summary="Every holder's share",
    responses=problem_responses(401, 403),
)
def read_entitlements(
    dividend_id: DividendId, staff: CurrentStaff, session: SessionDep
) -> list[EntitlementPublic]:
    return [EntitlementPublic.of(e) for e in declare.entitlements_of(session, dividend_id)]


@router.get(
    "/{dividend_id}/entitlements/me", summary="My share, with its Merkle proof",
    responses=problem_responses(401, 403),
)
def read_my_entitlement(
    dividend_id: DividendId, owner_id: CurrentOwnerId, session: SessionDep
) -> EntitlementProofPublic:
    proof = commitments.entitlement_proof(session, dividend_id, owner_id)
    return EntitlementProofPublic.of(proof)


@router.get(
    "/{dividend_id}/payout-file", response_class=CsvResponse,
    summary="The payout file for the fiat rails", responses=problem_responses(401, 403),
)
def read_payout_file(
    dividend_id: DividendId,
    operator: CurrentOperator,
    session: SessionDep,
    include_paid: Annotated[bool, Query()] = False,
) -> CsvResponse:
    """CSV: reference, dividend_id, owner_id, address, amount_fen, payment_date."""
    text = payouts.export_payouts(session, dividend_id, include_paid=include_paid)
    return CsvResponse(
        text, headers={"Content-Disposition": f'attachment; filename="dividend-{dividend_id}.csv"'}
    )


@router.post(
    "/{dividend_id}/payout-confirmations", summary="Apply the rails' returned payout file",
    dependencies=[WriteLimit], responses=WRITES,
)
def confirm_payouts(
    dividend_id: DividendId,
    returned: Annotated[str, Body(media_type="text/csv", min_length=1, max_length=MAX_PAYOUT_FILE)],
    operator: CurrentOperator,
    database: DatabaseDep,
    clock: ClockDep,
) -> PayoutConfirmationPublic:
    """CSV with reference, amount_fen, status (paid or failed) and optionally rail_reference."""
    result = database.run(lambda s: payouts.confirm_payouts(s, clock, dividend_id, returned))
    return PayoutConfirmationPublic.of(result)
