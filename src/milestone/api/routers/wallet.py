"""An owner's own wallet: balance and the history of their account."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from milestone.api.deps import CurrentOwnerId, SessionDep
from milestone.api.problems import problem_responses
from milestone.api.schemas.common import Amount
from milestone.api.schemas.ledger import HistoryPagePublic, WalletPublic
from milestone.ledger import Asset, balance_of, history, owner_account
from milestone.ledger.errors import UnknownAccount
from milestone.ledger.queries import HISTORY_PAGE_MAX, HistoryPage

router = APIRouter(prefix="/wallet", tags=["wallet"], responses=problem_responses(401, 403, 422))

CURSOR_PATTERN = r"^[0-9]{1,19}\.[0-9]{1,9}$"


@router.get("", summary="My balance")
def read_wallet(owner_id: CurrentOwnerId, session: SessionDep) -> WalletPublic:
    account = owner_account(owner_id)
    return WalletPublic(
        owner_id=owner_id, account=account,
        balance=Amount.of(_balance(session, account, Asset.STONE)),
        dividends_fen=_balance(session, account, Asset.CNY_FEN),
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
