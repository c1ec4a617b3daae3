"""Bodies of the program's summary, wallets and ledger history."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel

from milestone.api.schemas.common import Amount, Instant, hex_of
from milestone.ledger.queries import HistoryLine, HistoryPage, Totals
from milestone.program.service import Program
from milestone.rules.params import parameters_to_dict


class TotalsPublic(BaseModel):
    """Where every issued stone is; the parts add up to `issued`."""

    issued: Amount
    mining_reserve: Amount
    activity_reserve: Amount
    budgets: Amount
    circulating: Amount
    merchants: Amount
    treasury: Amount
    burned: Amount
    reconciles: bool

    @classmethod
    def of(cls, totals: Totals) -> TotalsPublic:
        return cls(
            issued=Amount.of(totals.issued), mining_reserve=Amount.of(totals.mining_reserve),
            activity_reserve=Amount.of(totals.activity_reserve), budgets=Amount.of(totals.budgets),
            circulating=Amount.of(totals.circulating), merchants=Amount.of(totals.merchants),
            treasury=Amount.of(totals.treasury), burned=Amount.of(totals.burned),
            reconciles=totals.reconciles,
        )


class ProgramPublic(BaseModel):
    preset: str
    parameters: dict[str, Any]
    parameters_hash: str
    genesis: Instant
    current_epoch: int
    """The epoch the service's clock is in (negative before genesis)."""
    totals: TotalsPublic

    @classmethod
    def of(cls, program: Program, current_epoch: int, totals: Totals) -> ProgramPublic:
        return cls(
            preset=program.preset, parameters=parameters_to_dict(program.parameters),
            parameters_hash=hex_of(program.parameters_hash), genesis=Instant.of(program.genesis),
            current_epoch=current_epoch, totals=TotalsPublic.of(totals),
        )


class WalletPublic(BaseModel):
    owner_id: int
    account: str
    balance: Amount
    dividends_fen: int
    """CNY fen of declared dividends credited to the owner and not yet paid out."""


class HistoryLinePublic(BaseModel):
    seq: int
    position: int
    at: Instant
    epoch: int
    kind: str
    amount: Amount
    """Signed: positive credits the account, negative debits it."""
    balance_after: Amount
    metadata: dict[str, Any]

    @classmethod
    def of(cls, line: HistoryLine) -> HistoryLinePublic:
        return cls(
            seq=line.seq, position=line.position, at=Instant.of(line.created_at),
            epoch=line.epoch, kind=line.kind, amount=Amount.of(line.amount),
            balance_after=Amount.of(line.balance_after), metadata=dict(line.metadata),
        )


class HistoryPagePublic(BaseModel):
    lines: list[HistoryLinePublic]
    next_cursor: str | None
    """Pass as `before` to read the next, older page; null on the last page."""

    @classmethod
    def of(cls, page: HistoryPage) -> HistoryPagePublic:
        lines = [HistoryLinePublic.of(line) for line in page.lines]
        return cls(lines=lines, next_cursor=page.next_cursor)
