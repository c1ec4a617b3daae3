"""Bodies of the store: merchants, catalogue items, orders and their steps, transfers."""

from __future__ import annotations

from pydantic import BaseModel, Field

from milestone.api.schemas.common import (
    Amount,
    Fen,
    FenText,
    Id,
    Instant,
    Pebbles,
    optional_instant,
)
from milestone.ledger import JournalEntry
from milestone.store.models import CatalogueItem, Merchant, StoreOrder
from milestone.store.spending import Spendable


class MerchantCreate(BaseModel):
    name: str = Field(min_length=1, max_length=64)
    category: str = Field(default="shop", max_length=16, examples=["shop", "service", "charging"])


class MerchantPublic(BaseModel):
    id: int
    name: str
    category: str
    created_at: Instant
    deactivated_at: Instant | None

    @classmethod
    def of(cls, merchant: Merchant) -> MerchantPublic:
        return cls(
            id=merchant.id, name=merchant.name, category=merchant.category,
            created_at=Instant.of(merchant.created_at),
            deactivated_at=optional_instant(merchant.deactivated_at),
        )


class MerchantKeyPublic(BaseModel):
    merchant: MerchantPublic
    api_key: str
    """Shown this once; the service keeps only its hash."""


class ItemCreate(BaseModel):
    sku: str = Field(min_length=1, max_length=64)
    title: str = Field(min_length=1, max_length=200)
    price: Pebbles
    """Pebbles per unit."""
    cash_fen: Fen = 0
    """CNY fen per unit paid on top, outside the ledger."""
    stock: int | None = Field(default=None, ge=0, le=2**63 - 1)
    """Units in stock; null for unlimited."""


class ItemUpdate(BaseModel):
    price: Pebbles | None = None
    cash_fen: Fen | None = None
    stock: int | None = Field(default=None, ge=0, le=2**63 - 1)
    unlimited: bool = False
    """Make the stock unlimited (ignores `stock`)."""
    active: bool | None = None


class ItemPublic(BaseModel):
    id: int
    merchant_id: int
    sku: str
    title: str
    price: Amount
    cash_fen: FenText
    stock: int | None
    active: bool

    @classmethod
    def of(cls, item: CatalogueItem) -> ItemPublic:
        return cls(
            id=item.id, merchant_id=item.merchant_id, sku=item.sku, title=item.title,
            price=Amount.of(item.price), cash_fen=str(item.cash_fen), stock=item.stock,
            active=item.active,
        )


class OrderCreate(BaseModel):
    item_id: Id
    quantity: int = Field(ge=1, le=1_000)


class OrderPublic(BaseModel):
    id: int
    owner_id: int
    merchant_id: int
    item_id: int
    quantity: int
    stones: Amount
    cash_fen: FenText
    status: str
    """placed, confirmed, fulfilled, cancelled or refunded."""
    placed_at: Instant
    updated_at: Instant

    @classmethod
    def of(cls, order: StoreOrder) -> OrderPublic:
        return cls(
            id=order.id, owner_id=order.owner_id, merchant_id=order.merchant_id,
            item_id=order.item_id, quantity=order.quantity, stones=Amount.of(order.stones),
            cash_fen=str(order.cash_fen), status=order.status,
            placed_at=Instant.of(order.placed_at),
            updated_at=Instant.of(order.updated_at),
        )


class SpendablePublic(BaseModel):
    balance: Amount
    spendable: Amount
    locked: Amount
    certified: bool
    next_unlock: Instant | None

    @classmethod
    def of(cls, spendable: Spendable) -> SpendablePublic:
        return cls(
            balance=Amount.of(spendable.balance), spendable=Amount.of(spendable.spendable),
            locked=Amount.of(spendable.locked), certified=spendable.certified,
            next_unlock=optional_instant(spendable.next_unlock),
        )


class TransferCreate(BaseModel):
    recipient_id: Id
    amount: Pebbles


class TransferPublic(BaseModel):
    seq: int
    """The journal entry that moved the stones."""
    amount: Amount
    recipient_id: int
    at: Instant
    replayed: bool

    @classmethod
    def of(cls, entry: JournalEntry, recipient_id: int, amount: int) -> TransferPublic:
        return cls(
            seq=entry.seq, amount=Amount.of(amount), recipient_id=recipient_id,
            at=Instant.of(entry.created_at), replayed=entry.replayed,
        )


class AllowanceCreate(BaseModel):
    sender_id: Id
    recipient_id: Id
