"""The canonical body of an entry and the hash chain: a reference vector and the metadata rules.

The vector is what another implementation of `ledger verify` must reproduce byte for byte.
"""

from __future__ import annotations

import pytest

from milestone.ledger.encoding import (
    ZERO_HASH,
    canonical_json,
    chain_hash,
    encode_entry_body,
    encode_metadata,
)
from milestone.ledger.errors import InvalidMetadata
from milestone.rules.hashing import keccak256

BODY = (
    b'{"created_at":1767225600,"epoch":0,"idempotency_key":"genesis","kind":"genesis",'
    b'"metadata":{"preset":"minimal"},"postings":[["supply","STONE",-150000000000],'
    b'["reserve:mining","STONE",100000000000],["reserve:activity","STONE",50000000000]],'
    b'"seq":1}'
)


def test_the_body_is_canonical_json_in_a_fixed_layout() -> None:
    body = encode_entry_body(
        seq=1,
        created_at=1_767_225_600,
        epoch=0,
        kind="genesis",
        idempotency_key="genesis",
        metadata_json=encode_metadata({"preset": "minimal"}),
        postings=[
            ("supply", "STONE", -150_000_000_000),
            ("reserve:mining", "STONE", 100_000_000_000),
            ("reserve:activity", "STONE", 50_000_000_000),
        ],
    )
    assert body == BODY


def test_the_hash_links_to_the_previous_one() -> None:
    first = chain_hash(ZERO_HASH, BODY)
    assert first == keccak256(bytes(32) + BODY)
    assert first.hex() == keccak256(b"\x00" * 32 + BODY).hex()
    assert chain_hash(first, BODY) != first


def test_metadata_is_sorted_compact_and_keeps_unicode() -> None:
    assert encode_metadata({"b": [1, True, None], "a": "石"}) == '{"a":"石","b":[1,true,null]}'
    assert encode_metadata(None) == "{}"
    assert canonical_json(2**70) == str(2**70)


@pytest.mark.parametrize(
    "metadata",
    [
        {"x": 1.0},
        {"x": {"y": [0.5]}},
        {1: "a"},
        {"键": 1},
        {"x": b"bytes"},
        {"x": {1, 2}},
        {"x": "\udc00"},
        ["not", "an", "object"],
        {"x": "y" * 16_384},
    ],
)
def test_metadata_that_would_not_round_trip_is_refused(metadata: object) -> None:
    with pytest.raises(InvalidMetadata):
        encode_metadata(metadata)  # type: ignore[arg-type]
