"""The public journal: an epoch's journal entries as anyone can hash them, and its head.

The operator's ledger names owners by internal account numbers (`owner:<n>`) and keeps
idempotency keys and metadata that are nobody else's business, so its own hash chain cannot be
recomputed from public data. From epoch file version 3 on, each epoch publishes the block of
its journal entries in a public form: owners by their pseudonymous address, every other
account by its name, and beside each entry the justification that makes its amounts follow
from a rule. The epoch's committed journal head is the hash chain over those public entries,
starting from the previous epoch's committed head (32 zero bytes before epoch 0), so anyone
holding the file and the previous head recomputes it. docs/epoch-file.md specifies it.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from typing import Any, Final

from milestone.rules.hashing import keccak256

ZERO_HEAD: Final[bytes] = bytes(32)
"""The journal head before epoch 0: the chain of epoch 0 starts from it."""

ENTRY_FIELDS: Final[tuple[str, ...]] = (
    "created_at",
    "epoch",
    "justification",
    "kind",
    "postings",
    "seq",
)
"""The fields of a public entry, in their canonical (sorted) order."""


def encode_public_entry(entry: Mapping[str, Any]) -> bytes:
    """
    The canonical bytes of one public journal entry.

    UTF-8 JSON with object keys sorted, no whitespace, integers in full decimal, non-ASCII
    text kept as is, no floats: exactly the entry's own fields (`ENTRY_FIELDS`), nothing more,
    so that two implementations agree byte for byte.
    """
    if tuple(sorted(entry)) != ENTRY_FIELDS:
        raise ValueError(f"a public entry has exactly the fields {ENTRY_FIELDS}")
    return json.dumps(entry, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def chain_public_entry(previous_head: bytes, body: bytes) -> bytes:
    """keccak256(previous_head ‖ body): the head after one more entry."""
    return keccak256(previous_head + body)


def calculate_block_head(previous_head: bytes, entries: Iterable[Mapping[str, Any]]) -> bytes:
    """
    The journal head after an epoch's block: every entry chained, in order, onto the head the
    previous epoch committed. A block with no entries leaves the head unchanged.
    """
    head = previous_head
    for entry in entries:
        head = chain_public_entry(head, encode_public_entry(entry))
    return head


def calculate_activity_paid(activity_pool: int, accounts: Mapping[tuple[str, str], int]) -> int:
    """
    Activity stones paid to owners since genesis, from the balances after an epoch.

    Whatever left the activity reserve (`activity_pool` minus `reserve:activity`) was released
    into the activity budget; what the budget and the campaigns (`campaign:<n>`, funded from the
    budget) still hold was not paid. The rest went to owners as activity rewards.
    """
    released = activity_pool - accounts.get(("reserve:activity", "STONE"), 0)
    unpaid = sum(
        amount
        for (account, asset), amount in accounts.items()
        if asset == "STONE" and (account == "budget:activity" or account.startswith("campaign:"))
    )
    return released - unpaid
