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
    ("POST", "/api/v1/telemetry/explain"): STAFF,
    ("GET", "/api/v1/wallet"): OWNERS,
    ("GET", "/api/v1/wallet/history"): OWNERS,
}

FUZZ_PREFERENCE = ("ann", "olga", "shop", "sales", ANONYMOUS)
"""Whom the fuzzer acts as on a route: the first of these the route admits."""


def fuzz_principal(method: str, path: str) -> str:
    """For a method the route lacks (the fuzzer tries those too), whoever the path admits."""
    allowed = ACCESS.get((method, path)) or frozenset().union(
        *(names for (_, known), names in ACCESS.items() if known == path)
    )
    return next(name for name in FUZZ_PREFERENCE if name in allowed)
