"""Merchants, their API keys and their catalogue."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from milestone.apikeys import InvalidApiKey
from milestone.clock import ManualClock
from milestone.program.service import Program
from milestone.storage import Database
from milestone.store import errors
from milestone.store.merchants import (
    add_item,
    authenticate_merchant,
    deactivate_merchant,
    list_items,
    list_merchants,
    register_merchant,
    rotate_merchant_key,
    update_item,
)
from milestone.store.models import CatalogueItem

STONE = 10**8


def test_a_merchant_authenticates_with_its_current_key(
    database: Database, clock: ManualClock, program: Program
) -> None:
    with database.transaction() as session:
        merchant, key = register_merchant(session, clock, "Charging", "charging")
    with database.session() as session:
        assert authenticate_merchant(session, key).id == merchant.id
        assert bytes(session.get(type(merchant), merchant.id).api_key_hash) != key.encode()  # type: ignore[union-attr]
    with database.transaction() as session:
        new_key = rotate_merchant_key(session, merchant.id)
    with database.session() as session:
        assert authenticate_merchant(session, new_key).id == merchant.id
        with pytest.raises(InvalidApiKey):
            authenticate_merchant(session, key)
    with database.transaction() as session:
        deactivate_merchant(session, clock, merchant.id)
    with database.session() as session, pytest.raises(InvalidApiKey):
        authenticate_merchant(session, new_key)


@pytest.mark.parametrize(
    ("name", "category"), [("", "shop"), ("x" * 65, "shop"), ("Shop", "casino")]
)
def test_malformed_merchants_are_refused(
    database: Database, clock: ManualClock, program: Program, name: str, category: str
) -> None:
    with pytest.raises(errors.InvalidMerchant) as raised, database.transaction() as session:
        register_merchant(session, clock, name, category)
    assert raised.value.code == "invalid_merchant"


def test_names_are_unique(database: Database, clock: ManualClock, program: Program) -> None:
    with database.transaction() as session:
        register_merchant(session, clock, "Shop")
    with pytest.raises(errors.MerchantNameTaken), database.transaction() as session:
        register_merchant(session, clock, "Shop")
    with database.session() as session:
        assert [m.name for m in list_merchants(session)] == ["Shop"]


@pytest.mark.parametrize(
    "change",
    [
        {"sku": ""},
        {"title": " "},
        {"price": -1},
        {"cash_fen": -5},
        {"stock": -1},
        {"price": 0, "cash_fen": 0},
        {"price": 1.5},
    ],
)
def test_malformed_items_are_refused(
    database: Database, clock: ManualClock, merchant: int, change: dict[str, object]
) -> None:
    fields: dict[str, object] = {
        "sku": "A",
        "title": "Cap",
        "price": STONE,
        "cash_fen": 0,
        "stock": None,
    }
    fields.update(change)
    with pytest.raises(errors.InvalidItem) as raised, database.transaction() as session:
        add_item(session, clock, merchant, **fields)  # type: ignore[arg-type]
    assert raised.value.code == "invalid_item"


def test_the_catalogue_lists_what_is_for_sale(
    database: Database, clock: ManualClock, merchant: int, make_item: Callable[..., CatalogueItem]
) -> None:
    cap, mug = make_item(), make_item(price=STONE, cash_fen=990, stock=None)
    with database.transaction() as session:
        update_item(session, cap.id, active=False)
        update_item(session, mug.id, stock=3, price=2 * STONE)
        with pytest.raises(errors.InvalidItem):
            update_item(session, mug.id, stock=-3)
        with pytest.raises(errors.UnknownItem):
            update_item(session, 999, stock=3)
    with database.session() as session:
        listed = list_items(session, merchant)
        assert [(i.id, i.price, i.stock) for i in listed] == [(mug.id, 2 * STONE, 3)]
        assert len(list_items(session, merchant, active_only=False)) == 2
    with database.transaction() as session:
        deactivate_merchant(session, clock, merchant)
        assert list_items(session) == []
        with pytest.raises(errors.MerchantInactive):
            add_item(session, clock, merchant, sku="B", title="Hat", price=STONE)
