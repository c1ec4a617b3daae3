"""Orders: place (the stones leave the owner for the merchant), confirm, fulfil (burned or to
the treasury), or cancel / refund before fulfilment (the stones come back).

Placing draws the order's pickup code, which only the buyer sees; the merchant fulfils with
the code the buyer gives at the counter (`store.pickup`).

Every step carries a key: repeating a step with its key returns the order as it is and changes
nothing, so a client that lost an answer can simply ask again. A step that the order's status
does not allow is refused with its own code.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from milestone.activities.budget import program_parameters
from milestone.activities.standing import require_in_good_standing
from milestone.clock import Clock
from milestone.events import emit, owner_address
from milestone.idempotency import check_request_key
from milestone.ledger import (
    BURNED,
    TREASURY,
    merchant_account,
    owner_account,
    post_transaction,
    transfer,
)
from milestone.ledger.journal import lock_head
from milestone.registry.owners import get_owner
from milestone.rules.store import calculate_order_total
from milestone.store.errors import (
    IdempotencyKeyReused,
    InvalidQuantity,
    ItemUnavailable,
    NotYourOrder,
    OrderStepConflict,
    OutOfStock,
    RefundAfterFulfilment,
    UnknownStoreOrder,
    WrongPickupCode,
)
from milestone.store.merchants import get_item, get_merchant
from milestone.store.models import CatalogueItem, OrderStep, StoreOrder
from milestone.store.pickup import new_pickup_code, pickup_code_matches
from milestone.store.spending import require_spendable

PLACED, CONFIRMED, FULFILLED = "placed", "confirmed", "fulfilled"
CANCELLED, REFUNDED = "cancelled", "refunded"
MAX_QUANTITY = 1_000

# Which statuses each step may start from, and the status it leaves.
STEPS: dict[str, tuple[frozenset[str], str]] = {
    "confirm": (frozenset({PLACED}), CONFIRMED),
    "fulfil": (frozenset({PLACED, CONFIRMED}), FULFILLED),
    "cancel": (frozenset({PLACED}), CANCELLED),
    "refund": (frozenset({PLACED, CONFIRMED}), REFUNDED),
}


@dataclass(frozen=True)
class Actor:
    """Who takes a step: the order's owner or its merchant."""

    owner_id: int | None = None
    merchant_id: int | None = None

    @property
    def name(self) -> str:
        if self.owner_id is not None:
            return f"owner:{self.owner_id}"
        return f"merchant:{self.merchant_id}"


def place_order(
    session: Session, clock: Clock, owner_id: int, item_id: int, quantity: int, key: str
) -> StoreOrder:
    """Place an order: check stock and spendable stones, move them to the merchant. No commit."""
    key = check_request_key(key)
    if type(quantity) is not int or not 0 < quantity <= MAX_QUANTITY:
        raise InvalidQuantity(f"order 1 to {MAX_QUANTITY} units, not {quantity!r}")
    lock_head(session)
    get_owner(session, owner_id)
    earlier = session.execute(
        select(StoreOrder).where(StoreOrder.owner_id == owner_id, StoreOrder.place_key == key)
    ).scalar_one_or_none()
    if earlier is not None:
        if (earlier.item_id, earlier.quantity) != (item_id, quantity):
            raise IdempotencyKeyReused(f"key {key!r} placed another order ({earlier.id})")
        return earlier
    require_in_good_standing(session, owner_id)
    item = _available_item(session, item_id)
    if item.stock is not None and item.stock < quantity:
        raise OutOfStock(f"{item.title!r}: {item.stock} left, {quantity} ordered", item_id=item.id)
    stones = calculate_order_total(item.price, quantity)
    require_spendable(session, clock, owner_id, stones)
    now = clock.now()
    order = StoreOrder(
        owner_id=owner_id, merchant_id=item.merchant_id, item_id=item.id, quantity=quantity,
        stones=stones, cash_fen=calculate_order_total(item.cash_fen, quantity), status=PLACED,
        place_key=key, pickup_code=new_pickup_code(), placed_at=now, updated_at=now,
    )
    session.add(order)
    session.flush()
    if stones > 0:
        post_transaction(
            session, clock, "store.order", f"store.order:{order.id}",
            transfer(owner_account(owner_id), merchant_account(item.merchant_id), stones),
            {"order_id": order.id, "item_id": item.id, "quantity": quantity},
        )
    if item.stock is not None:
        item.stock -= quantity
    session.flush()
    emit(session, "order.placed", order_payload(session, order), at=now)
    return order


def confirm_order(
    session: Session, clock: Clock, merchant_id: int, order_id: int, key: str
) -> StoreOrder:
    """The merchant accepts the order. No commit."""
    return _step(session, clock, order_id, "confirm", Actor(merchant_id=merchant_id), key)


def fulfil_order(
    session: Session, clock: Clock, merchant_id: int, order_id: int, key: str, pickup_code: str
) -> StoreOrder:
    """The merchant delivered: the held stones are burned, or go to the treasury. No commit.

    Only with the buyer's pickup code, checked before anything else about the order is told,
    so a wrong code learns nothing (not even whether the order is still open).
    """
    order = get_order(session, order_id)
    mine = order.merchant_id == merchant_id
    if mine and not pickup_code_matches(order.pickup_code, pickup_code):
        raise WrongPickupCode("that is not the buyer's pickup code for this order")
    return _step(session, clock, order_id, "fulfil", Actor(merchant_id=merchant_id), key)


def cancel_order(
    session: Session, clock: Clock, actor: Actor, order_id: int, key: str
) -> StoreOrder:
    """The owner or the merchant cancels an order not yet confirmed; stones back. No commit."""
    return _step(session, clock, order_id, "cancel", actor, key)


def refund_order(
    session: Session, clock: Clock, merchant_id: int, order_id: int, key: str
) -> StoreOrder:
    """The merchant refunds an order not yet fulfilled; stones back to the owner. No commit."""
    return _step(session, clock, order_id, "refund", Actor(merchant_id=merchant_id), key)


def get_order(session: Session, order_id: int) -> StoreOrder:
    order = session.get(StoreOrder, order_id)
    if order is None:
        raise UnknownStoreOrder(f"no store order {order_id}", order_id=order_id)
    return order


def orders_of(
    session: Session, *, owner_id: int | None = None, merchant_id: int | None = None
) -> list[StoreOrder]:
    """An owner's or a merchant's orders, newest first."""
    query = select(StoreOrder).order_by(StoreOrder.id.desc())
    if owner_id is not None:
        query = query.where(StoreOrder.owner_id == owner_id)
    if merchant_id is not None:
        query = query.where(StoreOrder.merchant_id == merchant_id)
    return list(session.execute(query).scalars())


def count_orders(session: Session, status: str) -> int:
    """How many orders are in `status` (placed, confirmed, fulfilled, cancelled, refunded)."""
    query = select(func.count()).select_from(StoreOrder).where(StoreOrder.status == status)
    return int(session.execute(query).scalar_one())


def _step(
    session: Session, clock: Clock, order_id: int, step: str, actor: Actor, key: str
) -> StoreOrder:
    key = check_request_key(key)
    lock_head(session)
    order = get_order(session, order_id)
    if actor.owner_id is not None and actor.owner_id != order.owner_id:
        raise NotYourOrder(f"order {order_id} is not yours")
    if actor.merchant_id is not None:
        get_merchant(session, actor.merchant_id, active=False)
        if actor.merchant_id != order.merchant_id:
            raise NotYourOrder(f"order {order_id} was placed with another merchant")
    taken = session.get(OrderStep, (order_id, step))
    if taken is not None:
        if taken.key != key:
            raise IdempotencyKeyReused(
                f"order {order_id} was already {STEPS[step][1]} under another key"
            )
        return order
    allowed_from, status = STEPS[step]
    if order.status not in allowed_from:
        if order.status == FULFILLED and step in ("cancel", "refund"):
            raise RefundAfterFulfilment(
                f"order {order_id} was fulfilled: its stones are spent and cannot come back"
            )
        raise OrderStepConflict(f"order {order_id} is {order.status}; it cannot be {status}")
    _post_step(session, clock, order, step)
    if status in (CANCELLED, REFUNDED):
        item = session.get(CatalogueItem, order.item_id)
        if item is not None and item.stock is not None:
            item.stock += order.quantity
    order.status, order.updated_at = status, clock.now()
    session.add(
        OrderStep(order_id=order_id, step=step, key=key, actor=actor.name, taken_at=clock.now())
    )
    session.flush()
    if step in ORDER_EVENTS:
        emit(session, ORDER_EVENTS[step], order_payload(session, order), at=clock.now())
    return order


ORDER_EVENTS = {
    "fulfil": "order.fulfilled", "cancel": "order.cancelled", "refund": "order.refunded"
}


def order_payload(session: Session, order: StoreOrder) -> dict[str, object]:
    """What an `order.*` event says: the order, its merchant, and the owner by address."""
    return {
        "order_id": order.id, "merchant_id": order.merchant_id, "item_id": order.item_id,
        "quantity": order.quantity, "stones": str(order.stones), "cash_fen": str(order.cash_fen),
        "owner": owner_address(session, order.owner_id), "status": order.status,
    }


def _post_step(session: Session, clock: Clock, order: StoreOrder, step: str) -> None:
    if order.stones == 0 or step == "confirm":
        return
    held = merchant_account(order.merchant_id)
    if step == "fulfil":
        burn = program_parameters(session).fulfilled_orders_to == "burn"
        postings = transfer(held, BURNED if burn else TREASURY, order.stones)
    else:
        postings = transfer(held, owner_account(order.owner_id), order.stones)
    post_transaction(
        session, clock, f"store.{step}", f"store.{step}:{order.id}", postings,
        {"order_id": order.id},
    )


def _available_item(session: Session, item_id: int) -> CatalogueItem:
    item = get_item(session, item_id)
    merchant = get_merchant(session, item.merchant_id, active=False)
    if not item.active or merchant.deactivated_at is not None:
        raise ItemUnavailable(f"{item.title!r} is not for sale", item_id=item_id)
    return item
