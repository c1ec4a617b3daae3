"""The chart of accounts: names, kinds, assets held."""

from __future__ import annotations

import pytest

from milestone.ledger import SYSTEM_ACCOUNTS, Asset, campaign_account, owner_account
from milestone.ledger.accounts import account_kind, as_asset, check_holds
from milestone.ledger.errors import AssetNotAllowed, InvalidAccount, UnknownAsset


@pytest.mark.parametrize(
    ("name", "kind"),
    [
        ("supply", "supply"),
        ("reserve:mining", "reserve"),
        ("budget:activity", "budget"),
        ("owner:1", "owner"),
        ("merchant:42", "merchant"),
        ("campaign:7", "campaign"),
        ("dividend:3", "dividend"),
        ("treasury", "treasury"),
        ("burned", "burned"),
        ("payout", "payout"),
        (f"owner:{2**63 - 1}", "owner"),
    ],
)
def test_well_formed_accounts_have_their_kind(name: str, kind: str) -> None:
    assert account_kind(name).name == kind


@pytest.mark.parametrize(
    "name",
    [
        "",
        "owner",
        "owner:",
        "owner:0",
        "owner:007",
        "owner:-1",
        "owner:1.5",
        "owner: 1",
        f"owner:{2**63}",
        "reserve",
        "reserve:mining:1",
        "treasury:1",
        "wallet:1",
        "OWNER:1",
        42,
    ],
)
def test_malformed_accounts_are_refused(name: str) -> None:
    with pytest.raises(InvalidAccount) as refused:
        account_kind(name)  # type: ignore[arg-type]
    assert refused.value.code == "invalid_account"


def test_system_accounts_are_every_fixed_name() -> None:
    assert SYSTEM_ACCOUNTS == (
        "budget:activity",
        "burned",
        "payout",
        "reserve:activity",
        "reserve:mining",
        "supply",
        "treasury",
    )


def test_assets_each_kind_holds() -> None:
    check_holds("owner:1", Asset.CNY_FEN)
    check_holds("supply", Asset.CNY_FEN)
    for account, asset in [
        ("merchant:1", Asset.CNY_FEN),
        ("dividend:1", Asset.STONE),
        ("reserve:mining", Asset.CNY_FEN),
        ("payout", Asset.STONE),
    ]:
        with pytest.raises(AssetNotAllowed):
            check_holds(account, asset)


def test_assets_by_name() -> None:
    assert as_asset("STONE") is Asset.STONE
    with pytest.raises(UnknownAsset):
        as_asset("stone")


def test_numbered_account_helpers_validate_the_number() -> None:
    assert owner_account(5) == "owner:5" and campaign_account(9) == "campaign:9"
    with pytest.raises(InvalidAccount):
        owner_account(0)
