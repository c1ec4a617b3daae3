"""Who may call each route: the table the role matrix and the fuzzer both read.

Every route of the app must appear here; the matrix test fails on one that does not, so a new
route cannot ship without someone deciding who may call it.
"""

from __future__ import annotations

ANONYMOUS = "anonymous"
OWNERS = frozenset({"ann", "bob"})
OPERATORS = frozenset({"olga"})
AUDITORS = frozenset({"aldo"})
STAFF = OPERATORS | AUDITORS
USERS = OWNERS | STAFF
MERCHANTS = frozenset({"shop", "other_shop"})
SALES = frozenset({"sales"})
EVERYONE = USERS | MERCHANTS | SALES | {ANONYMOUS}
PUBLIC = EVERYONE

ACCESS: dict[tuple[str, str], frozenset[str]] = {
    ("GET", "/health"): PUBLIC,
    ("POST", "/api/v1/auth/login"): PUBLIC,
    ("GET", "/api/v1/auth/me"): USERS,
    ("POST", "/api/v1/auth/password"): USERS,
    ("GET", "/api/v1/program"): PUBLIC,
    ("GET", "/api/v1/program/schedule"): PUBLIC,
    ("GET", "/api/v1/epochs"): PUBLIC,
    ("GET", "/api/v1/epochs/{epoch}"): PUBLIC,
    ("GET", "/api/v1/epochs/{epoch}/file"): PUBLIC,
    ("GET", "/api/v1/chain"): PUBLIC,
    ("POST", "/api/v1/chain/rpc"): PUBLIC,
    ("GET", "/api/v1/wallet/drops"): OWNERS,
    ("GET", "/api/v1/wallet/proofs/{epoch}"): OWNERS,
    ("POST", "/api/v1/owners"): PUBLIC,
    ("GET", "/api/v1/owners/me"): OWNERS,
    ("GET", "/api/v1/owners/{owner_id}"): STAFF,
    ("PUT", "/api/v1/owners/{owner_id}/identity"): OPERATORS,
    ("POST", "/api/v1/vehicles"): OPERATORS,
    ("GET", "/api/v1/vehicles"): STAFF,
    ("GET", "/api/v1/vehicles/{vehicle_id}"): STAFF,
    ("GET", "/api/v1/vehicles/{vehicle_id}/ownership"): STAFF,
    ("POST", "/api/v1/vehicles/{vehicle_id}/transfer"): OPERATORS,
    ("POST", "/api/v1/vehicles/{vehicle_id}/release"): OPERATORS,
    ("POST", "/api/v1/vehicles/{vehicle_id}/keys"): OPERATORS,
    ("POST", "/api/v1/vehicles/{vehicle_id}/keys/revoke"): OPERATORS,
    ("GET", "/api/v1/consent"): OWNERS,
    ("POST", "/api/v1/consent/grants"): OWNERS,
    ("POST", "/api/v1/consent/revocations"): OWNERS,
    ("GET", "/api/v1/consent/history"): OWNERS,
    ("POST", "/api/v1/telemetry/batches"): PUBLIC,
    ("GET", "/api/v1/telemetry/trips"): OWNERS,
    ("GET", "/api/v1/telemetry/rejections/mine"): OWNERS,
    ("GET", "/api/v1/telemetry/rejections"): STAFF,
    ("GET", "/api/v1/telemetry/rejections/summary"): STAFF,
    ("POST", "/api/v1/telemetry/explain"): STAFF,
    ("POST", "/api/v1/owners/{owner_id}/certification"): OPERATORS,
    ("POST", "/api/v1/owners/{owner_id}/revocation"): OPERATORS,
    ("POST", "/api/v1/activities/check-ins"): OWNERS,
    ("GET", "/api/v1/activities/check-ins/streak"): OWNERS,
    ("GET", "/api/v1/activities/referral-code"): OWNERS,
    ("POST", "/api/v1/activities/referrals"): OWNERS,
    ("GET", "/api/v1/activities/referrals"): OWNERS,
    ("POST", "/api/v1/activities/referrals/confirmations"): SALES,
    ("POST", "/api/v1/activities/sales-systems"): OPERATORS,
    ("GET", "/api/v1/activities/sales-systems"): STAFF,
    ("POST", "/api/v1/activities/sales-systems/{sales_system_id}/revoke"): OPERATORS,
    ("GET", "/api/v1/activities/campaigns"): PUBLIC,
    ("POST", "/api/v1/activities/campaigns"): OPERATORS,
    ("POST", "/api/v1/activities/campaigns/{campaign_id}/codes"): OPERATORS,
    ("POST", "/api/v1/activities/campaigns/{campaign_id}/participations"): OPERATORS,
    ("POST", "/api/v1/activities/campaigns/{campaign_id}/redemptions"): OWNERS,
    ("POST", "/api/v1/activities/redemptions"): OWNERS,
    ("POST", "/api/v1/activities/campaigns/{campaign_id}/uploads"): OPERATORS,
    ("POST", "/api/v1/activities/campaigns/{campaign_id}/close"): OPERATORS,
    ("GET", "/api/v1/store/merchants"): PUBLIC,
    ("GET", "/api/v1/store/merchants/me"): MERCHANTS,
    ("GET", "/api/v1/store/merchants/me/items"): MERCHANTS,
    ("POST", "/api/v1/store/merchants"): OPERATORS,
    ("POST", "/api/v1/store/merchants/{merchant_id}/key"): OPERATORS,
    ("POST", "/api/v1/store/merchants/{merchant_id}/deactivate"): OPERATORS,
    ("GET", "/api/v1/store/items"): PUBLIC,
    ("POST", "/api/v1/store/items"): MERCHANTS,
    ("PATCH", "/api/v1/store/items/{item_id}"): MERCHANTS,
    ("POST", "/api/v1/store/orders"): OWNERS,
    ("GET", "/api/v1/store/orders"): OWNERS | MERCHANTS,
    ("GET", "/api/v1/store/orders/{order_id}"): OWNERS | MERCHANTS,
    ("POST", "/api/v1/store/orders/{order_id}/confirm"): MERCHANTS,
    ("POST", "/api/v1/store/orders/{order_id}/fulfil"): MERCHANTS,
    ("POST", "/api/v1/store/orders/{order_id}/refund"): MERCHANTS,
    ("POST", "/api/v1/store/orders/{order_id}/cancel"): OWNERS | MERCHANTS,
    ("GET", "/api/v1/store/spendable"): OWNERS,
    ("POST", "/api/v1/store/transfers"): OWNERS,
    ("POST", "/api/v1/store/transfer-allowances"): OPERATORS,
    ("POST", "/api/v1/dividends"): OPERATORS,
    ("GET", "/api/v1/dividends"): PUBLIC,
    ("GET", "/api/v1/dividends/limits"): PUBLIC,
    ("GET", "/api/v1/dividends/{dividend_id}"): PUBLIC,
    ("GET", "/api/v1/dividends/{dividend_id}/entitlements"): STAFF,
    ("GET", "/api/v1/dividends/{dividend_id}/entitlements/me"): OWNERS,
    ("GET", "/api/v1/dividends/{dividend_id}/payout-file"): OPERATORS,
    ("POST", "/api/v1/dividends/{dividend_id}/payout-confirmations"): OPERATORS,
    ("POST", "/api/v1/admin/settle"): OPERATORS,
    ("GET", "/api/v1/admin/status"): STAFF,
    ("GET", "/api/v1/wallet"): OWNERS,
    ("GET", "/api/v1/wallet/history"): OWNERS,
    ("GET", "/api/v1/events"): STAFF,
    ("GET", "/api/v1/webhooks"): STAFF,
    ("POST", "/api/v1/webhooks"): OPERATORS,
    ("DELETE", "/api/v1/webhooks/{webhook_id}"): OPERATORS,
    ("POST", "/api/v1/webhooks/{webhook_id}/replay"): OPERATORS,
    ("GET", "/api/v1/webhooks/{webhook_id}/dead-letters"): STAFF,
}

FUZZ_PREFERENCE = ("ann", "olga", "shop", "sales", ANONYMOUS)
"""Whom the fuzzer acts as on a route: the first of these the route admits."""


def fuzz_principal(method: str, path: str) -> str:
    """For a method the route lacks (the fuzzer tries those too), whoever the path admits."""
    allowed = ACCESS.get((method, path)) or frozenset().union(
        *(names for (_, known), names in ACCESS.items() if known == path)
    )
    return next(name for name in FUZZ_PREFERENCE if name in allowed)
