"""Tables of the dividends: declared dividends and holders' entitlements."""

from __future__ import annotations

from sqlalchemy import BigInteger, CheckConstraint, ForeignKey, Integer, LargeBinary, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from milestone.storage.base import Base

# SQLite auto-increments only an INTEGER PRIMARY KEY; PostgreSQL gets a 64-bit identity.
Id = BigInteger().with_variant(Integer, "sqlite")


class Dividend(Base):
    """A declared dividend: fen shared over the owners' stones at the end of the record epoch."""

    __tablename__ = "dividend"
    __table_args__ = (
        CheckConstraint("amount_fen > 0", name="amount_positive"),
        CheckConstraint("issuer_fen >= 0", name="issuer_fen_not_negative"),
    )

    id: Mapped[int] = mapped_column(Id, primary_key=True, autoincrement=True)
    declare_key: Mapped[str] = mapped_column(String(64), unique=True)
    amount_fen: Mapped[int] = mapped_column(BigInteger)
    record_epoch: Mapped[int] = mapped_column(BigInteger)
    payment_date: Mapped[str] = mapped_column(String(10))
    """ISO date, `YYYY-MM-DD`, on which the fiat rails are to pay."""
    note: Mapped[str] = mapped_column(Text)
    declared_at: Mapped[int] = mapped_column(BigInteger)
    mode: Mapped[str] = mapped_column(String(16), server_default="per_circulating")
    """`per_stone` (the stake's dividend) or `per_circulating`, the program's `dividend_mode`."""
    issuer_fen: Mapped[int] = mapped_column(BigInteger, server_default="0")
    """The issuer's part: what the stones not held (unissued, reserved, burned) stand for."""
    circulating: Mapped[int] = mapped_column(BigInteger)
    """Pebbles held by owners at the end of the record epoch: the denominator of the split."""
    holders: Mapped[int] = mapped_column(Integer)
    root: Mapped[bytes] = mapped_column(LargeBinary(32))
    """Root of the entitlement tree over `(address, uint256 fen)`."""
    committed_epoch: Mapped[int | None] = mapped_column(BigInteger, unique=True)
    """The finalized epoch whose on-chain commitment carries the root."""

    @property
    def holders_fen(self) -> int:
        """The holders' part: the sum of the entitlements."""
        return self.amount_fen - self.issuer_fen


class Entitlement(Base):
    """One holder's share of a dividend, and whether the fiat rails paid it."""

    __tablename__ = "dividend_entitlement"
    __table_args__ = (CheckConstraint("amount_fen > 0", name="amount_positive"),)

    dividend_id: Mapped[int] = mapped_column(ForeignKey("dividend.id"), primary_key=True)
    owner_id: Mapped[int] = mapped_column(ForeignKey("owner.id"), primary_key=True)
    address: Mapped[bytes] = mapped_column(LargeBinary(20))
    balance: Mapped[int] = mapped_column(BigInteger)
    amount_fen: Mapped[int] = mapped_column(BigInteger)
    paid_at: Mapped[int | None] = mapped_column(BigInteger)
    rail_reference: Mapped[str | None] = mapped_column(String(64))
