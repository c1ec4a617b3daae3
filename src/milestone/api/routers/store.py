"""The store: merchants and their catalogues, owners' orders and the steps that settle them.

An owner acts on their own orders, a merchant (by its API key) on the orders placed with it;
the store service refuses anybody else with `not_your_order`. Every step that moves stones
takes an `Idempotency-Key`: repeating it returns the order as it is.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated

from fastapi import APIRouter, Path, Query, status
from sqlalchemy.orm import Session

from milestone.api.deps import (
    ClockDep,
    CurrentOperator,
    CurrentOwnerId,
    DatabaseDep,
    IdempotencyKey,
    MerchantKeyId,
    OwnerOrMerchant,
    SessionDep,
    WriteLimit,
)
from milestone.api.problems import problem_responses
from milestone.api.schemas.requests import MAX_JSON_INTEGER
from milestone.api.schemas.store import (
    AllowanceCreate,
    ItemCreate,
    ItemPublic,
    ItemUpdate,
    MerchantCreate,
    MerchantKeyPublic,
    MerchantPublic,
    OrderCreate,
    OrderFulfil,
    OrderPublic,
    SpendablePublic,
    TransferCreate,
    TransferPublic,
)
from milestone.auth.errors import Forbidden
from milestone.clock import Clock
from milestone.storage import Database
from milestone.store import merchants, orders, spending, transfers
from milestone.store.errors import NotYourOrder
from milestone.store.models import StoreOrder
from milestone.store.orders import Actor

router = APIRouter(prefix="/store", tags=["store"], responses=problem_responses(401, 403, 404))

MerchantId = Annotated[int, Path(ge=1, le=MAX_JSON_INTEGER)]
ItemId = Annotated[int, Path(ge=1, le=MAX_JSON_INTEGER)]
OrderId = Annotated[int, Path(ge=1, le=MAX_JSON_INTEGER)]
WRITES = problem_responses(409, 429)
MerchantOrderStep = Callable[[Session, Clock, int, int, str], StoreOrder]
"""`orders.confirm_order`, `refund_order`: (session, clock, merchant id, order id, idempotency
key) -> the order."""


@router.get("/merchants", summary="Merchants", responses=problem_responses())
def read_merchants(session: SessionDep) -> list[MerchantPublic]:
    return [MerchantPublic.of(merchant) for merchant in merchants.list_merchants(session)]


@router.get("/merchants/me", summary="The merchant whose key I hold")
def read_my_merchant(merchant_id: MerchantKeyId, session: SessionDep) -> MerchantPublic:
    """The merchant desk opens on this: its catalogue shows before the first order comes in."""
    return MerchantPublic.of(merchants.get_merchant(session, merchant_id))


@router.get("/merchants/me/items", summary="My catalogue, withdrawn items included")
def read_my_items(merchant_id: MerchantKeyId, session: SessionDep) -> list[ItemPublic]:
    """The desk lists what it withdrew too, so it can put an item back on sale."""
    return [
        ItemPublic.of(item)
        for item in merchants.list_items(session, merchant_id, active_only=False)
    ]


@router.post(
    "/merchants", status_code=status.HTTP_201_CREATED, summary="Register a merchant",
    dependencies=[WriteLimit], responses=WRITES,
)
def register_merchant(
    body: MerchantCreate, operator: CurrentOperator, database: DatabaseDep, clock: ClockDep
) -> MerchantKeyPublic:
    merchant, key = database.run(
        lambda s: merchants.register_merchant(s, clock, body.name, body.category)
    )
    return MerchantKeyPublic(merchant=MerchantPublic.of(merchant), api_key=key)


@router.post(
    "/merchants/{merchant_id}/key", summary="Replace a merchant's API key",
    dependencies=[WriteLimit], responses=WRITES,
)
def rotate_merchant_key(
    merchant_id: MerchantId, operator: CurrentOperator, database: DatabaseDep
) -> MerchantKeyPublic:
    def work(session: Session) -> MerchantKeyPublic:
        key = merchants.rotate_merchant_key(session, merchant_id)
        merchant = MerchantPublic.of(merchants.get_merchant(session, merchant_id))
        return MerchantKeyPublic(merchant=merchant, api_key=key)

    return database.run(work)


@router.post(
    "/merchants/{merchant_id}/deactivate", summary="Stop a merchant selling",
    dependencies=[WriteLimit], responses=WRITES,
)
def deactivate_merchant(
    merchant_id: MerchantId, operator: CurrentOperator, database: DatabaseDep, clock: ClockDep
) -> MerchantPublic:
    """Its open orders can still be fulfilled or refunded."""
    merchant = database.run(lambda s: merchants.deactivate_merchant(s, clock, merchant_id))
    return MerchantPublic.of(merchant)


@router.get("/items", summary="The catalogue", responses=problem_responses())
def read_items(
    session: SessionDep,
    merchant_id: Annotated[int | None, Query(ge=1, le=MAX_JSON_INTEGER)] = None,
) -> list[ItemPublic]:
    """Public: items for sale (of one merchant, if given)."""
    return [ItemPublic.of(item) for item in merchants.list_items(session, merchant_id)]


@router.post(
    "/items", status_code=status.HTTP_201_CREATED, summary="Add an item to my catalogue",
    dependencies=[WriteLimit], responses=WRITES,
)
def add_item(
    body: ItemCreate, merchant_id: MerchantKeyId, database: DatabaseDep, clock: ClockDep
) -> ItemPublic:
    item = database.run(
        lambda s: merchants.add_item(
            s, clock, merchant_id, sku=body.sku, title=body.title, price=body.price,
            cash_fen=body.cash_fen, stock=body.stock,
        )
    )
    return ItemPublic.of(item)


@router.patch(
    "/items/{item_id}", summary="Change one of my items", dependencies=[WriteLimit],
    responses=WRITES,
)
def update_item(
    item_id: ItemId, body: ItemUpdate, merchant_id: MerchantKeyId, database: DatabaseDep
) -> ItemPublic:
    """Orders already placed keep their price."""

    def work(session: Session) -> ItemPublic:
        if merchants.get_item(session, item_id).merchant_id != merchant_id:
            raise Forbidden(f"item {item_id} is another merchant's")
        item = merchants.update_item(
            session, item_id, price=body.price, cash_fen=body.cash_fen, stock=body.stock,
            unlimited=body.unlimited, active=body.active,
        )
        return ItemPublic.of(item)

    return database.run(work)


@router.post(
    "/orders", status_code=status.HTTP_201_CREATED, summary="Place an order",
    dependencies=[WriteLimit], responses=WRITES,
)
def place_order(
    body: OrderCreate,
    owner_id: CurrentOwnerId,
    idempotency_key: IdempotencyKey,
    database: DatabaseDep,
    clock: ClockDep,
) -> OrderPublic:
    """The stones move from my account to the merchant's until the order is fulfilled."""
    order = database.run(
        lambda s: orders.place_order(
            s, clock, owner_id, body.item_id, body.quantity, idempotency_key
        )
    )
    return OrderPublic.of(order, to_buyer=True)


@router.get("/orders", summary="My orders (owner) or the orders placed with me (merchant)")
def read_orders(caller: OwnerOrMerchant, session: SessionDep) -> list[OrderPublic]:
    """The buyer sees each order's pickup code; the merchant does not."""
    found = orders.orders_of(session, owner_id=caller.owner_id, merchant_id=caller.merchant_id)
    buyer = caller.owner_id is not None
    return [OrderPublic.of(order, to_buyer=buyer) for order in found]


@router.get("/orders/{order_id}", summary="One of my orders")
def read_order(order_id: OrderId, caller: OwnerOrMerchant, session: SessionDep) -> OrderPublic:
    order = orders.get_order(session, order_id)
    if caller.owner_id not in (None, order.owner_id) or caller.merchant_id not in (
        None, order.merchant_id
    ):
        raise NotYourOrder(f"order {order_id} is not yours")
    return OrderPublic.of(order, to_buyer=caller.owner_id is not None)


def take_merchant_step(
    step: MerchantOrderStep,
    merchant_id: int,
    order_id: int,
    idempotency_key: str,
    database: Database,
    clock: Clock,
) -> OrderPublic:
    """Take one of the merchant's steps on an order placed with it, in one transaction."""
    order = database.run(lambda s: step(s, clock, merchant_id, order_id, idempotency_key))
    return OrderPublic.of(order)


@router.post(
    "/orders/{order_id}/confirm", summary="Confirm an order placed with me",
    dependencies=[WriteLimit], responses=WRITES,
)
def confirm_order(
    order_id: OrderId,
    merchant_id: MerchantKeyId,
    idempotency_key: IdempotencyKey,
    database: DatabaseDep,
    clock: ClockDep,
) -> OrderPublic:
    return take_merchant_step(
        orders.confirm_order, merchant_id, order_id, idempotency_key, database, clock
    )


@router.post(
    "/orders/{order_id}/fulfil", summary="Fulfil an order placed with me",
    dependencies=[WriteLimit], responses=WRITES,
)
def fulfil_order(
    order_id: OrderId,
    body: OrderFulfil,
    merchant_id: MerchantKeyId,
    idempotency_key: IdempotencyKey,
    database: DatabaseDep,
    clock: ClockDep,
) -> OrderPublic:
    """With the buyer's pickup code (`wrong_pickup_code` otherwise). Its stones are burned, or
    go to the treasury, as the program's parameters say."""
    order = database.run(
        lambda s: orders.fulfil_order(
            s, clock, merchant_id, order_id, idempotency_key, body.pickup_code
        )
    )
    return OrderPublic.of(order)


@router.post(
    "/orders/{order_id}/refund", summary="Refund an order placed with me, before fulfilment",
    dependencies=[WriteLimit], responses=WRITES,
)
def refund_order(
    order_id: OrderId,
    merchant_id: MerchantKeyId,
    idempotency_key: IdempotencyKey,
    database: DatabaseDep,
    clock: ClockDep,
) -> OrderPublic:
    return take_merchant_step(
        orders.refund_order, merchant_id, order_id, idempotency_key, database, clock
    )


@router.post(
    "/orders/{order_id}/cancel", summary="Cancel an order before fulfilment",
    dependencies=[WriteLimit], responses=WRITES,
)
def cancel_order(
    order_id: OrderId,
    caller: OwnerOrMerchant,
    idempotency_key: IdempotencyKey,
    database: DatabaseDep,
    clock: ClockDep,
) -> OrderPublic:
    """The owner or the merchant of a placed order; its stones come back to the owner."""
    actor = Actor(owner_id=caller.owner_id, merchant_id=caller.merchant_id)
    order = database.run(lambda s: orders.cancel_order(s, clock, actor, order_id, idempotency_key))
    return OrderPublic.of(order, to_buyer=caller.owner_id is not None)


@router.get("/spendable", summary="What I may spend now")
def read_spendable(
    owner_id: CurrentOwnerId, session: SessionDep, clock: ClockDep
) -> SpendablePublic:
    """The balance less the stones still under the spend lock."""
    return SpendablePublic.of(spending.spendable_of(session, clock, owner_id))


@router.post(
    "/transfers", status_code=status.HTTP_201_CREATED, summary="Send stones to another owner",
    dependencies=[WriteLimit], responses=WRITES,
)
def transfer_stones(
    body: TransferCreate,
    owner_id: CurrentOwnerId,
    idempotency_key: IdempotencyKey,
    database: DatabaseDep,
    clock: ClockDep,
) -> TransferPublic:
    """Only where the program's transfer policy allows (IM's default: never)."""
    entry = database.run(
        lambda s: transfers.transfer_stones(
            s, clock, owner_id, body.recipient_id, body.amount, idempotency_key
        )
    )
    return TransferPublic.of(entry, body.recipient_id, body.amount)


@router.post(
    "/transfer-allowances", status_code=status.HTTP_204_NO_CONTENT,
    summary="Allow one owner to send stones to another (allowlist policy)",
    dependencies=[WriteLimit], responses=WRITES,
)
def allow_transfers(
    body: AllowanceCreate, operator: CurrentOperator, database: DatabaseDep, clock: ClockDep
) -> None:
    database.run(
        lambda s: transfers.allow_transfers(s, clock, body.sender_id, body.recipient_id)
    )
