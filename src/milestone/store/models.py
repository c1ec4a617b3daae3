"""Tables of the store: merchants, their catalogue, orders and their steps, transfer allowances."""

from __future__ import annotations

from sqlalchemy import (
    BigInteger,
    Boolean,
    CheckConstraint,
    ForeignKey,
    Integer,
    LargeBinary,
    String,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from milestone.storage.base import Base

# SQLite auto-increments only an INTEGER PRIMARY KEY; PostgreSQL gets a 64-bit identity.
Id = BigInteger().with_variant(Integer, "sqlite")


class Merchant(Base):
    """One of the brand's shops or services that sells for stones, with its API key's hash."""

    __tablename__ = "merchant"

    id: Mapped[int] = mapped_column(Id, primary_key=True, autoincrement=True)
    name: Mapped[str] = mapped_column(String(64), unique=True)
    category: Mapped[str] = mapped_column(String(16))
    api_key_id: Mapped[str] = mapped_column(String(16), unique=True)
    api_key_hash: Mapped[bytes] = mapped_column(LargeBinary(32))
    created_at: Mapped[int] = mapped_column(BigInteger)
    deactivated_at: Mapped[int | None] = mapped_column(BigInteger)


class CatalogueItem(Base):
    """Something a merchant sells: a price in stones, optionally plus cash, and a stock."""

    __tablename__ = "catalogue_item"
    __table_args__ = (
        UniqueConstraint("merchant_id", "sku"),
        CheckConstraint("price >= 0 AND cash_fen >= 0", name="prices_not_negative"),
        CheckConstraint("stock IS NULL OR stock >= 0", name="stock_not_negative"),
    )

    id: Mapped[int] = mapped_column(Id, primary_key=True, autoincrement=True)
    merchant_id: Mapped[int] = mapped_column(ForeignKey("merchant.id"), index=True)
    sku: Mapped[str] = mapped_column(String(64))
    title: Mapped[str] = mapped_column(String(200))
    price: Mapped[int] = mapped_column(BigInteger)
    """Pebbles per unit."""
    cash_fen: Mapped[int] = mapped_column(BigInteger)
    """CNY fen per unit paid on top, to the merchant, outside the ledger."""
    stock: Mapped[int | None] = mapped_column(BigInteger)
    """Units left; None for a service without a stock limit."""
    active: Mapped[bool] = mapped_column(Boolean)
    created_at: Mapped[int] = mapped_column(BigInteger)


class StoreOrder(Base):
    """An owner's order: stones held by the merchant until fulfilled, cancelled or refunded."""

    __tablename__ = "store_order"
    __table_args__ = (
        UniqueConstraint("owner_id", "place_key"),
        CheckConstraint("quantity > 0", name="quantity_positive"),
    )

    id: Mapped[int] = mapped_column(Id, primary_key=True, autoincrement=True)
    owner_id: Mapped[int] = mapped_column(ForeignKey("owner.id"), index=True)
    merchant_id: Mapped[int] = mapped_column(ForeignKey("merchant.id"), index=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("catalogue_item.id"))
    quantity: Mapped[int] = mapped_column(Integer)
    stones: Mapped[int] = mapped_column(BigInteger)
    """Pebbles held for the order."""
    cash_fen: Mapped[int] = mapped_column(BigInteger)
    status: Mapped[str] = mapped_column(String(16))
    """`placed`, `confirmed`, `fulfilled`, `cancelled` or `refunded`."""
    place_key: Mapped[str] = mapped_column(String(64))
    pickup_code: Mapped[str] = mapped_column(String(16))
    """The buyer's secret the merchant needs to fulfil the order (`store.pickup`)."""
    placed_at: Mapped[int] = mapped_column(BigInteger)
    updated_at: Mapped[int] = mapped_column(BigInteger)


class OrderStep(Base):
    """A step taken on an order after placing it, with the key that makes repeating it safe."""

    __tablename__ = "store_order_step"

    order_id: Mapped[int] = mapped_column(ForeignKey("store_order.id"), primary_key=True)
    step: Mapped[str] = mapped_column(String(16), primary_key=True)
    key: Mapped[str] = mapped_column(String(64))
    actor: Mapped[str] = mapped_column(String(32))
    """`owner:<id>` or `merchant:<id>`."""
    taken_at: Mapped[int] = mapped_column(BigInteger)


class TransferAllowance(Base):
    """A pair of owners the operator allows to transfer (policy `allowlist`), one way."""

    __tablename__ = "transfer_allowance"

    sender_id: Mapped[int] = mapped_column(ForeignKey("owner.id"), primary_key=True)
    recipient_id: Mapped[int] = mapped_column(ForeignKey("owner.id"), primary_key=True)
    added_at: Mapped[int] = mapped_column(BigInteger)
