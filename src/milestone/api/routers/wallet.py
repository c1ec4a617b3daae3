"""An owner's own wallet: balance and the history of their account."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from milestone.api.deps import ClockDep, CurrentOwnerId, SessionDep
from milestone.api.problems import problem_responses
from milestone.api.schemas.common import Amount, optional_instant
from milestone.api.schemas.ledger import (
    FlowPublic,
    HistoryPagePublic,
    UnlockPublic,
    WalletPublic,
)
from milestone.ledger import Asset, balance_of, history, owner_account
from milestone.ledger.errors import UnknownAccount
from milestone.ledger.flows import flows_of
from milestone.ledger.queries import HISTORY_PAGE_MAX, HistoryPage
from milestone.store.spending import (
    RETURN_KINDS,
    Spendable,
    spendable_of,
    unlock_schedule_of,
)

router = APIRouter(prefix="/wallet", tags=["wallet"], responses=problem_responses(401, 403, 422))

CURSOR_PATTERN = r"^[0-9]{1,19}\.[0-9]{1,9}$"


@router.get("", summary="My balance, what I may spend, what I earned")
def read_wallet(owner_id: CurrentOwnerId, session: SessionDep, clock: ClockDep) -> WalletPublic:
    """The wallet's figures over the whole account: a browser never sums a page of history."""
    account = owner_account(owner_id)
    try:
        spendable = spendable_of(session, clock, owner_id)
        unlocks = unlock_schedule_of(session, clock, owner_id)
    except UnknownAccount:  # nothing was ever posted to this owner
        spendable, unlocks = Spendable(0, 0, False, None), []
    flows = flows_of(session, account)
    return WalletPublic(
        owner_id=owner_id, account=account,
        balance=Amount.of(spendable.balance), spendable=Amount.of(spendable.spendable),
        locked=Amount.of(spendable.locked),
        unlocks=[
            UnlockPublic(at=optional_instant(unlock.at), amount=Amount.of(unlock.amount))
            for unlock in unlocks
        ],
        earned=Amount.of(sum(f.credited for f in flows if f.kind not in RETURN_KINDS)),
        flows=[FlowPublic.of(flow) for flow in flows],
        dividends_fen=str(_balance(session, account, Asset.CNY_FEN)),
    )


@router.get("/history", summary="My account's postings, newest first")
def read_history(
    owner_id: CurrentOwnerId,
    session: SessionDep,
    before: Annotated[str | None, Query(pattern=CURSOR_PATTERN)] = None,
    limit: Annotated[int, Query(ge=1, le=HISTORY_PAGE_MAX)] = 50,
    asset: Asset = Asset.STONE,
) -> HistoryPagePublic:
    try:
        page = history(session, owner_account(owner_id), asset, before=before, limit=limit)
    except UnknownAccount:
        page = HistoryPage([], None)  # nothing was ever posted to this owner
    return HistoryPagePublic.of(page)


def _balance(session: SessionDep, account: str, asset: Asset) -> int:
    try:
        return balance_of(session, account, asset)
    except UnknownAccount:
        return 0
