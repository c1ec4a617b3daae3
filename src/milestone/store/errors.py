"""Named refusals of the store and of transfers; each leaves the database as it was."""

from __future__ import annotations

from milestone.errors import Conflict, MilestoneError, NotFound


class StoreError(MilestoneError):
    code = "store_error"
    http_status = 422


class InvalidMerchant(StoreError):
    code = "invalid_merchant"


class MerchantNameTaken(Conflict):
    code = "merchant_name_taken"


class UnknownMerchant(NotFound):
    code = "unknown_merchant"


class MerchantInactive(Conflict):
    code = "merchant_inactive"


class InvalidItem(StoreError):
    """A catalogue item that cannot be sold: empty title, negative price or stock."""

    code = "invalid_item"


class SkuTaken(Conflict):
    """The merchant already sells an item under this SKU."""

    code = "sku_taken"


class ItemWouldBeFree(Conflict):
    """A change that would leave the item costing neither stones nor cash."""

    code = "item_would_be_free"


class UnknownItem(NotFound):
    code = "unknown_item"


class ItemUnavailable(Conflict):
    """The item was withdrawn from the catalogue, or its merchant closed."""

    code = "item_unavailable"


class OutOfStock(Conflict):
    code = "out_of_stock"


class InvalidQuantity(StoreError):
    code = "invalid_quantity"


class StonesLocked(Conflict):
    """The owner holds enough stones, but not enough of them are spendable yet."""

    code = "stones_locked"


class UnknownStoreOrder(NotFound):
    code = "unknown_store_order"


class WrongPickupCode(StoreError):
    """The pickup code given to fulfil an order is not the one its buyer holds."""

    code = "wrong_pickup_code"
    http_status = 403


class NotYourOrder(StoreError):
    """The order belongs to another owner or merchant."""

    code = "not_your_order"
    http_status = 403


class OrderStepConflict(Conflict):
    """The step cannot follow the order's current status (confirming a cancelled order, ...)."""

    code = "order_step_conflict"


class RefundAfterFulfilment(Conflict):
    code = "refund_after_fulfilment"


class IdempotencyKeyReused(Conflict):
    """The key was used for a different request."""

    code = "idempotency_key_reused"


class TransferNotAllowed(Conflict):
    code = "transfer_not_allowed"


class InvalidTransfer(StoreError):
    code = "invalid_transfer"
