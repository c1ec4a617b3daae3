"""Merchants and their catalogue: the brand's shop, service centres, charging, ...

A merchant authenticates with an API key (stored as its hash; shown once, at registration or
rotation) and holds the stones of its open orders in its ledger account `merchant:<id>`.
Items are priced in stones (pebbles per unit), optionally with cash on top (CNY fen per unit,
paid to the merchant outside the ledger), and may have a stock.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from milestone.apikeys import InvalidApiKey, check_api_key, issue_api_key, parse_key_id
from milestone.clock import Clock
from milestone.ledger import merchant_account, open_account
from milestone.ledger.journal import lock_head
from milestone.rules.units import MAX_AMOUNT
from milestone.store.errors import (
    InvalidItem,
    InvalidMerchant,
    ItemWouldBeFree,
    MerchantInactive,
    MerchantNameTaken,
    SkuTaken,
    UnknownItem,
    UnknownMerchant,
)
from milestone.store.models import CatalogueItem, Merchant

API_KEY_PREFIX = "mk"
CATEGORIES = ("shop", "service", "charging", "other")
NAME_MAX_LENGTH = 64
SKU_MAX_LENGTH = 64
TITLE_MAX_LENGTH = 200


def register_merchant(
    session: Session, clock: Clock, name: str, category: str = "shop"
) -> tuple[Merchant, str]:
    """Register a merchant and open its account; returns it and its API key. No commit."""
    name = _text(name, NAME_MAX_LENGTH, "a merchant's name", InvalidMerchant)
    if category not in CATEGORIES:
        raise InvalidMerchant(f"category must be one of {', '.join(CATEGORIES)}")
    lock_head(session)
    if session.execute(select(Merchant.id).where(Merchant.name == name)).first():
        raise MerchantNameTaken(f"a merchant named {name!r} exists")
    issued = issue_api_key(API_KEY_PREFIX)
    merchant = Merchant(
        name=name, category=category, api_key_id=issued.key_id, api_key_hash=issued.key_hash,
        created_at=clock.now(),
    )
    session.add(merchant)
    session.flush()
    open_account(session, clock, merchant_account(merchant.id))
    return merchant, issued.key


def get_merchant(session: Session, merchant_id: int, *, active: bool = True) -> Merchant:
    """The merchant; `MerchantInactive` if it was deactivated and `active` is asked for."""
    merchant = session.get(Merchant, merchant_id)
    if merchant is None:
        raise UnknownMerchant(f"no merchant {merchant_id}", merchant_id=merchant_id)
    if active and merchant.deactivated_at is not None:
        raise MerchantInactive(f"merchant {merchant_id} is deactivated", merchant_id=merchant_id)
    return merchant


def list_merchants(session: Session) -> list[Merchant]:
    return list(session.execute(select(Merchant).order_by(Merchant.id)).scalars())


def authenticate_merchant(session: Session, api_key: str) -> Merchant:
    """The active merchant holding `api_key`; `InvalidApiKey` otherwise."""
    key_id = parse_key_id(api_key, API_KEY_PREFIX)
    merchant = session.execute(
        select(Merchant).where(Merchant.api_key_id == key_id)
    ).scalar_one_or_none()
    if merchant is None or merchant.deactivated_at is not None:
        raise InvalidApiKey("the API key is not valid")
    check_api_key(api_key, merchant.api_key_hash)
    return merchant


def rotate_merchant_key(session: Session, merchant_id: int) -> str:
    """Replace the merchant's API key; the old one stops working. No commit."""
    merchant = get_merchant(session, merchant_id)
    issued = issue_api_key(API_KEY_PREFIX)
    merchant.api_key_id, merchant.api_key_hash = issued.key_id, issued.key_hash
    session.flush()
    return issued.key


def deactivate_merchant(session: Session, clock: Clock, merchant_id: int) -> Merchant:
    """Stop the merchant selling; its open orders can still be fulfilled or refunded."""
    merchant = get_merchant(session, merchant_id, active=False)
    if merchant.deactivated_at is None:
        merchant.deactivated_at = clock.now()
        session.flush()
    return merchant


def add_item(
    session: Session,
    clock: Clock,
    merchant_id: int,
    *,
    sku: str,
    title: str,
    price: int,
    cash_fen: int = 0,
    stock: int | None = None,
) -> CatalogueItem:
    """Add an item to the merchant's catalogue. No commit."""
    get_merchant(session, merchant_id)
    sku = _text(sku, SKU_MAX_LENGTH, "a SKU", InvalidItem)
    title = _text(title, TITLE_MAX_LENGTH, "a title", InvalidItem)
    _check_prices(price, cash_fen, stock)
    if price == 0 and cash_fen == 0:
        raise InvalidItem("an item costs stones, cash or both")
    taken = session.execute(
        select(CatalogueItem.id).where(
            CatalogueItem.merchant_id == merchant_id, CatalogueItem.sku == sku
        )
    ).first()
    if taken:
        raise SkuTaken(f"your catalogue already has an item under SKU {sku!r}")
    item = CatalogueItem(
        merchant_id=merchant_id, sku=sku, title=title, price=price, cash_fen=cash_fen,
        stock=stock, active=True, created_at=clock.now(),
    )
    session.add(item)
    session.flush()
    return item


def update_item(
    session: Session,
    item_id: int,
    *,
    price: int | None = None,
    cash_fen: int | None = None,
    stock: int | None = None,
    unlimited: bool = False,
    active: bool | None = None,
) -> CatalogueItem:
    """Change an item's price, stock (or make it unlimited) or availability. No commit.

    Orders already placed keep the price they were placed at.
    """
    item = get_item(session, item_id)
    new_price = item.price if price is None else price
    new_cash = item.cash_fen if cash_fen is None else cash_fen
    new_stock = None if unlimited else (item.stock if stock is None else stock)
    _check_prices(new_price, new_cash, new_stock)
    if new_price == 0 and new_cash == 0:
        raise ItemWouldBeFree("the item would cost neither stones nor cash")
    item.price, item.cash_fen, item.stock = new_price, new_cash, new_stock
    if active is not None:
        item.active = active
    session.flush()
    return item


def get_item(session: Session, item_id: int) -> CatalogueItem:
    item = session.get(CatalogueItem, item_id)
    if item is None:
        raise UnknownItem(f"no catalogue item {item_id}", item_id=item_id)
    return item


def list_items(
    session: Session, merchant_id: int | None = None, *, active_only: bool = True
) -> list[CatalogueItem]:
    """The catalogue (of one merchant, if given), in order of creation."""
    query = select(CatalogueItem).order_by(CatalogueItem.id)
    if merchant_id is not None:
        query = query.where(CatalogueItem.merchant_id == merchant_id)
    if active_only:
        query = query.join(Merchant, Merchant.id == CatalogueItem.merchant_id).where(
            CatalogueItem.active.is_(True), Merchant.deactivated_at.is_(None)
        )
    return list(session.execute(query).scalars())


def _check_prices(price: int, cash_fen: int, stock: int | None) -> None:
    for label, value in (("price", price), ("cash price", cash_fen), ("stock", stock)):
        if value is None and label == "stock":
            continue
        if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= MAX_AMOUNT:
            raise InvalidItem(f"the {label} must be a whole number, not negative: {value!r}")


def _text(value: str, limit: int, what: str, error: type[InvalidItem | InvalidMerchant]) -> str:
    if not isinstance(value, str) or not 0 < len(value.strip()) <= limit:
        raise error(f"{what} is 1 to {limit} characters")
    return value.strip()
