"""Bodies of the store: merchants, catalogue items, orders and their steps, transfers."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from milestone.api.schemas.common import Amount, FenText, Instant, optional_instant
from milestone.api.schemas.requests import (
    POSITIVE_AMOUNT_PATTERN,
    CountIn,
    FenIn,
    IdIn,
    PebblesIn,
    PositivePebblesIn,
    RequestModel,
    integer,
    text,
)
from milestone.ledger import JournalEntry
from milestone.store.models import CatalogueItem, Merchant, StoreOrder
from milestone.store.spending import Spendable


class MerchantCreate(RequestModel):
    name: str = text(64)
    category: Literal["shop", "service", "charging", "other"] = "shop"


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


class ItemCreate(RequestModel):
    """An item costs stones, cash or both: `price` or `cash_fen` is more than zero."""

    model_config = ConfigDict(json_schema_extra={"anyOf": [
        {"properties": {"price": {"pattern": POSITIVE_AMOUNT_PATTERN}}},
        {"properties": {"cash_fen": {"pattern": POSITIVE_AMOUNT_PATTERN}},
         "required": ["cash_fen"]},
    ]})

    sku: str = text(64)
    title: str = text(200)
    price: PebblesIn
    """Pebbles per unit."""
    cash_fen: FenIn = Field(default="0", validate_default=True)
    """CNY fen per unit paid on top, outside the ledger."""
    stock: CountIn | None = None
    """Units in stock; null for unlimited."""


class ItemUpdate(RequestModel):
    price: PebblesIn | None = None
    cash_fen: FenIn | None = None
    stock: CountIn | None = None
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


class OrderCreate(RequestModel):
    item_id: IdIn
    quantity: integer(1, 1_000)  # type: ignore[valid-type]


class OrderFulfil(RequestModel):
    pickup_code: str = Field(
        min_length=1, max_length=32,
        description="The code the buyer gives at the counter (case, spaces and dashes ignored).",
    )


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
    pickup_code: str | None
    """The buyer's secret for collecting the order: in the buyer's own answers only, never in
    the merchant's (the merchant fulfils with the code the buyer tells them)."""

    @classmethod
    def of(cls, order: StoreOrder, *, to_buyer: bool = False) -> OrderPublic:
        return cls(
            id=order.id, owner_id=order.owner_id, merchant_id=order.merchant_id,
            item_id=order.item_id, quantity=order.quantity, stones=Amount.of(order.stones),
            cash_fen=str(order.cash_fen), status=order.status,
            placed_at=Instant.of(order.placed_at),
            updated_at=Instant.of(order.updated_at),
            pickup_code=order.pickup_code if to_buyer else None,
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


class TransferCreate(RequestModel):
    recipient_id: IdIn
    amount: PositivePebblesIn


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


class AllowanceCreate(RequestModel):
    sender_id: IdIn
    recipient_id: IdIn
