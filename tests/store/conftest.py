"""Fixtures of the store tests: a merchant with an item, and owners holding spendable stones."""

from __future__ import annotations

import itertools
from collections.abc import Callable

import pytest

from milestone.activities.standing import certify_owner
from milestone.clock import ManualClock
from milestone.storage import Database
from milestone.store.merchants import add_item, register_merchant
from milestone.store.models import CatalogueItem

STONE = 10**8
DAY = 86_400
LOCK = 90 * DAY  # the minimal preset's spend lock


@pytest.fixture
def merchant(database: Database, clock: ManualClock, program: object) -> int:
    with database.transaction() as session:
        merchant, _ = register_merchant(session, clock, "IM Store", "shop")
        return merchant.id


@pytest.fixture
def make_item(
    database: Database, clock: ManualClock, merchant: int
) -> Callable[..., CatalogueItem]:
    skus = itertools.count(1)

    def make_item(
        price: int = 2 * STONE, cash_fen: int = 0, stock: int | None = 5
    ) -> CatalogueItem:
        with database.transaction() as session:
            return add_item(
                session,
                clock,
                merchant,
                sku=f"SKU-{next(skus)}",
                title="Umbrella",
                price=price,
                cash_fen=cash_fen,
                stock=stock,
            )

    return make_item


@pytest.fixture
def funded_owner(
    database: Database,
    clock: ManualClock,
    make_owner: Callable[[], int],
    credit: Callable[[int, int], None],
) -> Callable[[int], int]:
    """A certified owner holding `amount` pebbles, all past the spend lock."""

    def funded_owner(amount: int) -> int:
        owner = make_owner()
        with database.transaction() as session:
            certify_owner(session, clock, owner)
        credit(owner, amount)
        clock.advance(LOCK)
        return owner

    return funded_owner
