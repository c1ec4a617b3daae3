"""Orders: place, confirm, fulfil, cancel and refund; stock, balance and the spend lock."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable

import pytest

from milestone.activities.errors import OwnerRevoked
from milestone.activities.standing import certify_owner, revoke_owner
from milestone.clock import ManualClock
from milestone.idempotency import InvalidRequestKey
from milestone.ledger import BURNED, TREASURY, balance_of, merchant_account, owner_account, totals
from milestone.ledger.errors import InsufficientBalance
from milestone.program.service import create_program
from milestone.rules.params import get_preset
from milestone.storage import Database
from milestone.store import errors
from milestone.store.merchants import add_item, register_merchant, update_item
from milestone.store.models import CatalogueItem, StoreOrder
from milestone.store.orders import (
    CANCELLED,
    CONFIRMED,
    FULFILLED,
    PLACED,
    REFUNDED,
    Actor,
    cancel_order,
    confirm_order,
    fulfil_order,
    get_order,
    place_order,
    refund_order,
)

STONE = 10**8
DAY = 86_400


def place(
    database: Database,
    clock: ManualClock,
    owner: int,
    item: int,
    quantity: int = 1,
    key: str = "o1",
) -> StoreOrder:
    with database.transaction() as session:
        return place_order(session, clock, owner, item, quantity, key)


def balance(database: Database, account: str) -> int:
    with database.session() as session:
        return balance_of(session, account)


def stock(database: Database, item: CatalogueItem) -> int | None:
    with database.session() as session:
        return session.get(CatalogueItem, item.id).stock  # type: ignore[union-attr]


def test_placing_an_order_holds_the_stones_with_the_merchant(
    database: Database,
    clock: ManualClock,
    merchant: int,
    make_item: Callable[..., CatalogueItem],
    funded_owner: Callable[[int], int],
) -> None:
    owner = funded_owner(10 * STONE)
    item = make_item(price=2 * STONE, stock=5)
    order = place(database, clock, owner, item.id, 3)
    assert (order.status, order.stones) == (PLACED, 6 * STONE)
    assert balance(database, owner_account(owner)) == 4 * STONE
    assert balance(database, merchant_account(merchant)) == 6 * STONE
    assert stock(database, item) == 2


def test_placing_again_with_the_same_key_is_the_same_order(
    database: Database,
    clock: ManualClock,
    make_item: Callable[..., CatalogueItem],
    funded_owner: Callable[[int], int],
    snapshot: Callable[[], object],
) -> None:
    owner = funded_owner(10 * STONE)
    item = make_item()
    first = place(database, clock, owner, item.id)
    before = snapshot()
    assert place(database, clock, owner, item.id).id == first.id
    assert snapshot() == before
    with pytest.raises(errors.IdempotencyKeyReused):
        place(database, clock, owner, item.id, 2)
    with pytest.raises(InvalidRequestKey):
        place(database, clock, owner, item.id, key="")


def test_an_order_beyond_the_balance_is_refused(
    database: Database,
    clock: ManualClock,
    make_item: Callable[..., CatalogueItem],
    funded_owner: Callable[[int], int],
    snapshot: Callable[[], object],
) -> None:
    owner = funded_owner(3 * STONE)
    item = make_item(price=2 * STONE)
    before = snapshot()
    with pytest.raises(InsufficientBalance) as raised:
        place(database, clock, owner, item.id, 2)
    assert raised.value.code == "insufficient_balance"
    assert snapshot() == before


def test_an_order_beyond_the_stock_is_refused(
    database: Database,
    clock: ManualClock,
    make_item: Callable[..., CatalogueItem],
    funded_owner: Callable[[int], int],
    snapshot: Callable[[], object],
) -> None:
    owner = funded_owner(30 * STONE)
    item = make_item(stock=2)
    before = snapshot()
    with pytest.raises(errors.OutOfStock) as raised:
        place(database, clock, owner, item.id, 3)
    assert raised.value.code == "out_of_stock"
    assert snapshot() == before
    place(database, clock, owner, item.id, 2)
    with pytest.raises(errors.OutOfStock):
        place(database, clock, owner, item.id, 1, key="o2")


def test_fresh_stones_are_locked_with_the_date_they_unlock(
    database: Database,
    clock: ManualClock,
    make_item: Callable[..., CatalogueItem],
    funded_owner: Callable[[int], int],
    credit: Callable[[int, int], None],
    snapshot: Callable[[], object],
) -> None:
    owner = funded_owner(STONE)  # one stone past the lock
    credit(owner, 5 * STONE)  # five fresh ones
    item = make_item(price=2 * STONE)
    before = snapshot()
    with pytest.raises(errors.StonesLocked) as raised:
        place(database, clock, owner, item.id)
    assert raised.value.code == "stones_locked"
    unlock = clock.now() + 90 * DAY
    assert raised.value.details["spendable_from"] == unlock
    assert "1.00000000 of the 6.00000000 stones held" in raised.value.message
    assert "spendable now" in raised.value.message
    assert snapshot() == before
    clock.set(unlock)
    place(database, clock, owner, item.id)


def test_an_uncertified_owner_cannot_spend(
    database: Database,
    clock: ManualClock,
    make_owner: Callable[[], int],
    make_item: Callable[..., CatalogueItem],
    credit: Callable[[int, int], None],
) -> None:
    owner = make_owner()
    credit(owner, 5 * STONE)
    clock.advance(365 * DAY)
    item = make_item()
    with pytest.raises(errors.StonesLocked) as raised:
        place(database, clock, owner, item.id)
    assert raised.value.details["spendable_from"] is None
    assert "certified" in raised.value.message
    with database.transaction() as session:
        certify_owner(session, clock, owner)
    place(database, clock, owner, item.id)  # the days have long passed


def test_fulfilment_burns_the_stones(
    database: Database,
    clock: ManualClock,
    merchant: int,
    make_item: Callable[..., CatalogueItem],
    funded_owner: Callable[[int], int],
) -> None:
    owner = funded_owner(10 * STONE)
    order = place(database, clock, owner, make_item().id)
    with database.transaction() as session:
        assert confirm_order(session, clock, merchant, order.id, "c1").status == CONFIRMED
        fulfilled = fulfil_order(session, clock, merchant, order.id, "f1", order.pickup_code)
        assert fulfilled.status == FULFILLED
    assert balance(database, merchant_account(merchant)) == 0
    assert balance(database, BURNED) == 2 * STONE
    with database.session() as session:
        assert totals(session).reconciles


def test_an_order_is_fulfilled_only_with_its_buyers_pickup_code(
    database: Database,
    clock: ManualClock,
    merchant: int,
    make_item: Callable[..., CatalogueItem],
    funded_owner: Callable[[int], int],
    snapshot: Callable[[], object],
) -> None:
    owner = funded_owner(10 * STONE)
    item = make_item().id
    first = place(database, clock, owner, item, key="a")
    second = place(database, clock, owner, item, key="b")
    codes = {first.pickup_code, second.pickup_code}
    assert len(codes) == 2 and all(len(c) == 8 and c.isalnum() for c in codes)
    before = snapshot()
    for wrong in (second.pickup_code, "", f"M-{first.id:05d}"):
        with pytest.raises(errors.WrongPickupCode) as raised, database.transaction() as session:
            fulfil_order(session, clock, merchant, first.id, "f1", wrong)
        assert raised.value.code == "wrong_pickup_code"
    assert snapshot() == before
    spoken = "-".join([first.pickup_code[:4].lower(), first.pickup_code[4:]])  # as said aloud
    with database.transaction() as session:
        assert fulfil_order(session, clock, merchant, first.id, "f1", spoken).status == FULFILLED


def test_a_step_repeated_with_its_key_changes_nothing(
    database: Database,
    clock: ManualClock,
    merchant: int,
    make_item: Callable[..., CatalogueItem],
    funded_owner: Callable[[int], int],
    snapshot: Callable[[], object],
) -> None:
    owner = funded_owner(10 * STONE)
    order = place(database, clock, owner, make_item().id)
    with database.transaction() as session:
        fulfil_order(session, clock, merchant, order.id, "f1", order.pickup_code)
    before = snapshot()
    with database.transaction() as session:
        again = fulfil_order(session, clock, merchant, order.id, "f1", order.pickup_code)
        assert again.status == FULFILLED
    assert snapshot() == before
    with pytest.raises(errors.IdempotencyKeyReused), database.transaction() as session:
        fulfil_order(session, clock, merchant, order.id, "f2", order.pickup_code)


def test_cancelling_gives_the_stones_and_the_stock_back(
    database: Database,
    clock: ManualClock,
    merchant: int,
    make_item: Callable[..., CatalogueItem],
    funded_owner: Callable[[int], int],
) -> None:
    owner = funded_owner(10 * STONE)
    item = make_item(stock=5)
    order = place(database, clock, owner, item.id, 2)
    with database.transaction() as session:
        assert (
            cancel_order(session, clock, Actor(owner_id=owner), order.id, "x").status == CANCELLED
        )
    assert balance(database, owner_account(owner)) == 10 * STONE
    assert stock(database, item) == 5
    # Stones that come back were spendable when they left: spendable again at once.
    place(database, clock, owner, item.id, 5, key="o2")


def test_a_refund_before_fulfilment_and_none_after(
    database: Database,
    clock: ManualClock,
    merchant: int,
    make_item: Callable[..., CatalogueItem],
    funded_owner: Callable[[int], int],
    snapshot: Callable[[], object],
) -> None:
    owner = funded_owner(10 * STONE)
    item = make_item()
    first = place(database, clock, owner, item.id, key="a")
    second = place(database, clock, owner, item.id, key="b")
    with database.transaction() as session:
        confirm_order(session, clock, merchant, first.id, "c")
        assert refund_order(session, clock, merchant, first.id, "r").status == REFUNDED
        fulfil_order(session, clock, merchant, second.id, "f", second.pickup_code)
    assert balance(database, owner_account(owner)) == 8 * STONE
    before = snapshot()
    with pytest.raises(errors.RefundAfterFulfilment) as raised, database.transaction() as session:
        refund_order(session, clock, merchant, second.id, "r")
    assert raised.value.code == "refund_after_fulfilment"
    with pytest.raises(errors.RefundAfterFulfilment), database.transaction() as session:
        cancel_order(session, clock, Actor(owner_id=owner), second.id, "x")
    assert snapshot() == before


def test_steps_out_of_order_and_by_others_are_refused(
    database: Database,
    clock: ManualClock,
    merchant: int,
    make_item: Callable[..., CatalogueItem],
    funded_owner: Callable[[int], int],
) -> None:
    owner, other = funded_owner(10 * STONE), funded_owner(10 * STONE)
    order = place(database, clock, owner, make_item().id)
    with database.transaction() as session:
        other_merchant, _ = register_merchant(session, clock, "Charging")
    with pytest.raises(errors.NotYourOrder), database.transaction() as session:
        cancel_order(session, clock, Actor(owner_id=other), order.id, "x")
    with pytest.raises(errors.NotYourOrder), database.transaction() as session:
        confirm_order(session, clock, other_merchant.id, order.id, "c")
    with database.transaction() as session:
        confirm_order(session, clock, merchant, order.id, "c")
    with pytest.raises(errors.OrderStepConflict) as raised, database.transaction() as session:
        cancel_order(session, clock, Actor(owner_id=owner), order.id, "x")  # ask for a refund
    assert raised.value.code == "order_step_conflict"
    with pytest.raises(errors.UnknownStoreOrder), database.transaction() as session:
        get_order(session, 999)


def test_withdrawn_items_and_revoked_owners_cannot_order(
    database: Database,
    clock: ManualClock,
    make_item: Callable[..., CatalogueItem],
    funded_owner: Callable[[int], int],
) -> None:
    owner = funded_owner(10 * STONE)
    item = make_item()
    with database.transaction() as session:
        update_item(session, item.id, active=False)
    with pytest.raises(errors.ItemUnavailable):
        place(database, clock, owner, item.id)
    with database.transaction() as session:
        revoke_owner(session, clock, owner, "fraud")
    with pytest.raises(OwnerRevoked):
        place(database, clock, owner, make_item().id)


def test_a_cash_only_item_moves_no_stones(
    database: Database,
    clock: ManualClock,
    make_item: Callable[..., CatalogueItem],
    funded_owner: Callable[[int], int],
) -> None:
    owner = funded_owner(STONE)
    order = place(database, clock, owner, make_item(price=0, cash_fen=1_500).id, 2)
    assert (order.stones, order.cash_fen) == (0, 3_000)
    assert balance(database, owner_account(owner)) == STONE


def test_fulfilment_can_pay_the_treasury(database: Database, clock: ManualClock) -> None:
    from milestone.activities.standing import certify_owner
    from milestone.ledger import MINING_RESERVE, post_transaction, transfer
    from milestone.registry.owners import create_owner

    params = dataclasses.replace(
        get_preset("minimal"), fulfilled_orders_to="treasury", spend_lock_days=0
    )
    with database.transaction() as session:
        create_program(session, clock, params, genesis=clock.now())
        owner = create_owner(session, clock).id
        certify_owner(session, clock, owner)
        post_transaction(
            session, clock, "drop", "d1", transfer(MINING_RESERVE, owner_account(owner), STONE)
        )
        merchant, _ = register_merchant(session, clock, "Service")
        item = add_item(session, clock, merchant.id, sku="S", title="Wash", price=STONE)
    clock.advance(1)
    order = place(database, clock, owner, item.id)
    with database.transaction() as session:
        fulfil_order(session, clock, merchant.id, order.id, "f", order.pickup_code)
    assert (balance(database, TREASURY), balance(database, BURNED)) == (STONE, 0)
