"""The chart of accounts: which accounts exist, which assets each holds, which may go negative.

An account is named `kind` or `kind:id`. System accounts have fixed names and are opened at
genesis; numbered accounts (`owner:<n>`, `merchant:<n>`, `campaign:<n>`, `dividend:<n>`) are
opened by the service that creates what they belong to, in the same database transaction.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum

from milestone.ledger.errors import AssetNotAllowed, InvalidAccount, UnknownAsset
from milestone.rules.units import MAX_AMOUNT


class Asset(StrEnum):
    STONE = "STONE"
    """The token, in pebbles (1 stone = 10^8 pebbles)."""
    CNY_FEN = "CNY_FEN"
    """Dividend entitlements, in fen (1 yuan = 100 fen)."""


@dataclass(frozen=True)
class AccountKind:
    name: str
    assets: frozenset[Asset]
    numbered: bool
    """True for `kind:<n>` accounts, False for the fixed names in `names`."""
    names: frozenset[str] = frozenset()


STONE_ONLY = frozenset({Asset.STONE})
FEN_ONLY = frozenset({Asset.CNY_FEN})
BOTH = frozenset(Asset)

SUPPLY = "supply"
MINING_RESERVE = "reserve:mining"
ACTIVITY_RESERVE = "reserve:activity"
ACTIVITY_BUDGET = "budget:activity"
TREASURY = "treasury"
BURNED = "burned"
PAYOUT = "payout"

CHART: dict[str, AccountKind] = {
    kind.name: kind
    for kind in (
        # The genesis contra account: it alone goes negative, by exactly what was ever issued
        # (stones at genesis, fen when a dividend is declared).
        AccountKind("supply", BOTH, numbered=False, names=frozenset({SUPPLY})),
        AccountKind(
            "reserve",
            STONE_ONLY,
            numbered=False,
            names=frozenset({MINING_RESERVE, ACTIVITY_RESERVE}),
        ),
        AccountKind("budget", STONE_ONLY, numbered=False, names=frozenset({ACTIVITY_BUDGET})),
        AccountKind("campaign", STONE_ONLY, numbered=True),
        AccountKind("owner", BOTH, numbered=True),
        AccountKind("merchant", STONE_ONLY, numbered=True),
        AccountKind("treasury", STONE_ONLY, numbered=False, names=frozenset({TREASURY})),
        AccountKind("burned", STONE_ONLY, numbered=False, names=frozenset({BURNED})),
        AccountKind("dividend", FEN_ONLY, numbered=True),
        # Fen paid out through the fiat rails leave the ledger here.
        AccountKind("payout", FEN_ONLY, numbered=False, names=frozenset({PAYOUT})),
    )
}

SYSTEM_ACCOUNTS: tuple[str, ...] = tuple(
    sorted(name for kind in CHART.values() for name in kind.names)
)
"""Every fixed-name account, opened at genesis."""

MAY_GO_NEGATIVE = frozenset({SUPPLY})

_NUMBER = re.compile(r"[1-9][0-9]*")


def account_kind(account: str) -> AccountKind:
    """The kind of a well-formed account name; `InvalidAccount` otherwise."""
    if not isinstance(account, str):
        raise InvalidAccount(f"account names are strings, not {type(account).__name__}")
    kind_name, _, suffix = account.partition(":")
    kind = CHART.get(kind_name)
    if kind is None:
        raise InvalidAccount(f"no account kind {kind_name!r} in {account!r}", account=account)
    if kind.numbered:
        if not _NUMBER.fullmatch(suffix) or int(suffix) > MAX_AMOUNT:
            raise InvalidAccount(
                f"{account!r}: expected {kind_name}:<positive integer>", account=account
            )
    elif account not in kind.names:
        raise InvalidAccount(f"no account named {account!r}", account=account)
    return kind


def as_asset(asset: Asset | str) -> Asset:
    """`asset` as an `Asset`, accepting its plain string name."""
    try:
        return Asset(asset)
    except ValueError:
        raise UnknownAsset(f"unknown asset {asset!r}", asset=str(asset)) from None


def check_holds(account: str, asset: Asset) -> None:
    """Refuse an asset the account's kind does not hold."""
    if asset not in account_kind(account).assets:
        raise AssetNotAllowed(f"{account} does not hold {asset}", account=account, asset=asset)


def owner_account(owner_id: int) -> str:
    return _numbered("owner", owner_id)


def merchant_account(merchant_id: int) -> str:
    return _numbered("merchant", merchant_id)


def campaign_account(campaign_id: int) -> str:
    return _numbered("campaign", campaign_id)


def dividend_account(dividend_id: int) -> str:
    return _numbered("dividend", dividend_id)


def _numbered(kind: str, number: int) -> str:
    name = f"{kind}:{number}"
    account_kind(name)
    return name
