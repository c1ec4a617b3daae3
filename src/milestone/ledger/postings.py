"""What a valid transaction is: signed postings of known assets that balance per asset.

Validation needs no database, so it runs first: a refused transaction never reaches a write.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from milestone.ledger.accounts import Asset, account_kind, as_asset, check_holds
from milestone.ledger.encoding import encode_metadata
from milestone.ledger.errors import (
    AmountOutOfRange,
    EmptyTransaction,
    InvalidIdempotencyKey,
    InvalidKind,
    NegativeAmount,
    UnbalancedPostings,
    ZeroAmount,
)
from milestone.rules.units import MAX_AMOUNT

KIND_PATTERN = re.compile(r"[a-z][a-z0-9_.-]{0,31}")
"""Transaction kinds: `genesis`, `drop`, `checkin`, `order`, ... (lowercase, at most 32)."""
KEY_PATTERN = re.compile(r"[\x21-\x7e]{1,128}")
"""Idempotency keys: 1 to 128 printable ASCII characters, no spaces."""


@dataclass(frozen=True)
class Posting:
    """A signed movement: a positive amount adds to the account's balance, a negative takes."""

    account: str
    asset: Asset
    amount: int


@dataclass(frozen=True)
class TransactionRequest:
    """One transaction to post with `post_transactions`."""

    kind: str
    idempotency_key: str
    postings: Sequence[Posting]
    metadata: Mapping[str, Any] | None = None


@dataclass(frozen=True)
class CheckedRequest:
    """A request that passed every check that needs no database."""

    kind: str
    idempotency_key: str
    postings: list[Posting]
    metadata_json: str
    """Canonical JSON, as hashed and stored."""


def transfer(
    source: str, destination: str, amount: int, asset: Asset = Asset.STONE
) -> list[Posting]:
    """The two postings moving a positive `amount` from `source` to `destination`."""
    check_amount(amount)
    if amount < 0:
        raise NegativeAmount(f"a transfer moves a positive amount, not {amount}", amount=amount)
    return [Posting(source, asset, -amount), Posting(destination, asset, amount)]


def check_request(request: TransactionRequest) -> CheckedRequest:
    """The request with assets normalized and metadata encoded, or the first thing wrong."""
    check_kind(request.kind)
    check_idempotency_key(request.idempotency_key)
    return CheckedRequest(
        kind=request.kind,
        idempotency_key=request.idempotency_key,
        postings=check_postings(request.postings),
        metadata_json=encode_metadata(request.metadata),
    )


def check_kind(kind: str) -> None:
    if not isinstance(kind, str) or not KIND_PATTERN.fullmatch(kind):
        raise InvalidKind(f"transaction kind {kind!r} is not [a-z][a-z0-9_.-]{{0,31}}")


def check_idempotency_key(key: str) -> None:
    if not isinstance(key, str) or not KEY_PATTERN.fullmatch(key):
        raise InvalidIdempotencyKey(
            f"idempotency key {key!r} must be 1 to 128 printable ASCII characters"
        )


def check_amount(amount: int) -> None:
    """A non-zero integer that fits a signed 64-bit column (either sign)."""
    if isinstance(amount, bool) or not isinstance(amount, int):
        raise AmountOutOfRange(f"amounts are integer pebbles or fen, not {amount!r}")
    if amount == 0:
        raise ZeroAmount("an amount of zero moves nothing")
    if abs(amount) > MAX_AMOUNT:
        raise AmountOutOfRange(f"{amount} does not fit 64 bits", amount=amount)


def check_postings(postings: Sequence[Posting]) -> list[Posting]:
    """Well-formed postings that sum to zero per asset."""
    if not postings:
        raise EmptyTransaction("a transaction needs postings")
    lines = []
    totals: dict[Asset, int] = defaultdict(int)
    for posting in postings:
        account_kind(posting.account)
        asset = as_asset(posting.asset)
        check_holds(posting.account, asset)
        check_amount(posting.amount)
        lines.append(Posting(posting.account, asset, posting.amount))
        totals[asset] += posting.amount
    unbalanced = {asset.value: total for asset, total in totals.items() if total != 0}
    if unbalanced:
        raise UnbalancedPostings(f"postings do not sum to zero: {unbalanced}", sums=unbalanced)
    return lines
