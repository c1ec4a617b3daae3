"""The canonical encoding of a journal entry, and the hash that chains entries together.

An entry's body is canonical JSON (UTF-8, keys sorted, no insignificant whitespace, integers in
full decimal, no floats):

    {"created_at":<int>,"epoch":<int>,"idempotency_key":<str>,"kind":<str>,
     "metadata":<object>,"postings":[[<account>,<asset>,<amount>],...],"seq":<int>}

with the postings in the order they were submitted. The entry's hash is
`keccak256(prev_hash ‖ body)`, `prev_hash` being the previous entry's hash (32 zero bytes for
the first), so changing any stored field of any entry changes every hash after it. See
docs/ledger.md for the rules in full, for anyone re-implementing the check.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from typing import Any

from milestone.ledger.errors import InvalidMetadata
from milestone.rules.hashing import keccak256

ZERO_HASH = bytes(32)
MAX_METADATA_BYTES = 16_384


def canonical_json(value: object) -> str:
    """`value` as canonical JSON text (sorted keys, compact, non-ASCII kept as is)."""
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def encode_metadata(metadata: Mapping[str, Any] | None) -> str:
    """Metadata as canonical JSON, refusing anything that would not round-trip exactly."""
    value = {} if metadata is None else metadata
    if not isinstance(value, Mapping):
        raise InvalidMetadata("metadata must be a JSON object")
    _check_json_value(value, "metadata")
    text = canonical_json(value)
    if len(text.encode()) > MAX_METADATA_BYTES:
        raise InvalidMetadata(f"metadata exceeds {MAX_METADATA_BYTES} bytes")
    return text


def _check_json_value(value: object, where: str) -> None:
    # Floats are refused: their text form is not canonical across languages.
    if value is None or isinstance(value, bool | int):
        return
    if isinstance(value, str):
        _check_text(value, where)
    elif isinstance(value, Mapping):
        for key, item in value.items():
            if not isinstance(key, str) or not key.isascii():
                raise InvalidMetadata(f"{where}: keys must be ASCII strings, got {key!r}")
            _check_json_value(item, f"{where}.{key}")
    elif isinstance(value, list | tuple):
        for index, item in enumerate(value):
            _check_json_value(item, f"{where}[{index}]")
    else:
        raise InvalidMetadata(f"{where}: {type(value).__name__} is not allowed in metadata")


def _check_text(text: str, where: str) -> None:
    try:
        text.encode()
    except UnicodeEncodeError:
        raise InvalidMetadata(f"{where}: not valid Unicode text") from None


def encode_entry_body(
    *,
    seq: int,
    created_at: int,
    epoch: int,
    kind: str,
    idempotency_key: str,
    metadata_json: str,
    postings: Iterable[tuple[str, str, int]],
) -> bytes:
    """The canonical body of an entry; `metadata_json` is already canonical (see above)."""
    # Assembled by hand rather than re-serializing the metadata: the stored text is canonical,
    # and this keeps verification from parsing every entry's metadata.
    postings_json = canonical_json(
        [[account, asset, amount] for account, asset, amount in postings]
    )
    return (
        f'{{"created_at":{created_at},"epoch":{epoch},'
        f'"idempotency_key":{canonical_json(idempotency_key)},"kind":{canonical_json(kind)},'
        f'"metadata":{metadata_json},"postings":{postings_json},"seq":{seq}}}'
    ).encode()


def chain_hash(prev_hash: bytes, body: bytes) -> bytes:
    """keccak256(prev_hash ‖ body): the link from an entry to everything before it."""
    return keccak256(prev_hash + body)
