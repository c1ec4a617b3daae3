"""What every dividend declared so far adds up to, for reports."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from milestone.dividends.models import Dividend, Entitlement


@dataclass(frozen=True)
class DividendTotals:
    """Fen over every declaration: declared, the issuer's part of it, and what holders are
    entitled to (the declared amount less the issuer's part, split exactly)."""

    declared_fen: int
    issuer_fen: int
    entitled_fen: int

    @property
    def holders_fen(self) -> int:
        return self.declared_fen - self.issuer_fen


def dividend_totals(session: Session) -> DividendTotals:
    """The sums of every dividend declared and of every entitlement fixed."""
    declared, issuer = session.execute(
        select(func.coalesce(func.sum(Dividend.amount_fen), 0),
               func.coalesce(func.sum(Dividend.issuer_fen), 0))
    ).one()
    entitled = session.execute(
        select(func.coalesce(func.sum(Entitlement.amount_fen), 0))
    ).scalar_one()
    return DividendTotals(int(declared), int(issuer), int(entitled))
