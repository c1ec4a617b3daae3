"""Bodies of the program's summary, wallets and ledger history."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel

from milestone.api.schemas.common import Amount, FenText, Instant, digits_for_json, hex_of
from milestone.epochs.inputs import MINING_KIND
from milestone.ledger.flows import Flow
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
    """Every integer in it (amounts, counts, seconds) is a string of digits."""
    parameters_hash: str
    genesis: Instant
    current_epoch: int
    """The epoch the service's clock is in (negative before genesis)."""
    totals: TotalsPublic
    time_zone: str
    """The program's time zone (IANA): where its people read dates and times."""

    @classmethod
    def of(
        cls, program: Program, current_epoch: int, totals: Totals, time_zone: str
    ) -> ProgramPublic:
        return cls(
            preset=program.preset,
            parameters=digits_for_json(parameters_to_dict(program.parameters)),
            parameters_hash=hex_of(program.parameters_hash), genesis=Instant.of(program.genesis),
            current_epoch=current_epoch, totals=TotalsPublic.of(totals), time_zone=time_zone,
        )


class FlowPublic(BaseModel):
    """What one kind of transaction moved into and out of the account, over its whole life."""

    kind: str
    credited: Amount
    debited: Amount

    @classmethod
    def of(cls, flow: Flow) -> FlowPublic:
        return cls(kind=flow.kind, credited=Amount.of(flow.credited),
                   debited=Amount.of(flow.debited))


class UnlockPublic(BaseModel):
    at: Instant | None
    """When these stones become spendable; null: once the owner is certified."""
    amount: Amount


class WalletPublic(BaseModel):
    """Every figure of the wallet's front page, computed here over the whole account."""

    owner_id: int
    account: str
    balance: Amount
    spendable: Amount
    locked: Amount
    """The balance less what is spendable now: earnings still under the spend lock."""
    unlocks: list[UnlockPublic]
    """When the locked stones become spendable, soonest first; they add up to `locked`."""
    earned: Amount
    """Every stone ever credited, less the stones that came back from cancelled orders."""
    flows: list[FlowPublic]
    """Credits and debits over the account's whole life by kind; their nets add up to
    `balance`."""
    dividends_fen: FenText
    """CNY fen of declared dividends credited to the owner and not yet paid out."""


class HistoryLinePublic(BaseModel):
    seq: int
    position: int
    at: Instant
    epoch: int
    """The epoch the posting was made in."""
    earned_epoch: int
    """The epoch the posting belongs to: drops are mined in one epoch and posted when it is
    settled, during a later one; for anything else the epoch it was made in."""
    kind: str
    amount: Amount
    """Signed: positive credits the account, negative debits it."""
    balance_after: Amount
    metadata: dict[str, Any]

    @classmethod
    def of(cls, line: HistoryLine) -> HistoryLinePublic:
        return cls(
            seq=line.seq, position=line.position, at=Instant.of(line.created_at),
            epoch=line.epoch, earned_epoch=_earned_epoch(line), kind=line.kind,
            amount=Amount.of(line.amount), balance_after=Amount.of(line.balance_after),
            metadata=digits_for_json(dict(line.metadata)),
        )


def _earned_epoch(line: HistoryLine) -> int:
    epoch = line.metadata.get("epoch") if line.kind == MINING_KIND else None
    return epoch if isinstance(epoch, int) else line.epoch


class HistoryPagePublic(BaseModel):
    lines: list[HistoryLinePublic]
    next_cursor: str | None
    """Pass as `before` to read the next, older page; null on the last page."""

    @classmethod
    def of(cls, page: HistoryPage) -> HistoryPagePublic:
        lines = [HistoryLinePublic.of(line) for line in page.lines]
        return cls(lines=lines, next_cursor=page.next_cursor)
