"""The static ABI encoder, checked against eth_abi (web3.py's encoder) on random values."""

from __future__ import annotations

import eth_abi
import pytest
from hypothesis import given
from hypothesis import strategies as st

from milestone.rules import errors
from milestone.rules.abi import encode, encode_many, value_to_json, word_encoder

ADDRESS = bytes.fromhex("11" * 20)


def values_of(abi_type: str) -> st.SearchStrategy[object]:
    if abi_type == "address":
        return st.binary(min_size=20, max_size=20)
    if abi_type == "bool":
        return st.booleans()
    if abi_type.startswith("bytes"):
        size = int(abi_type[5:])
        return st.binary(min_size=size, max_size=size)
    bits = int(abi_type.lstrip("uint"))
    if abi_type.startswith("uint"):
        return st.integers(0, 2**bits - 1)
    return st.integers(-(2 ** (bits - 1)), 2 ** (bits - 1) - 1)


TYPES = ["address", "bool", "uint8", "uint64", "uint256", "int8", "int128", "int256",
         "bytes1", "bytes20", "bytes32"]  # fmt: skip


@st.composite
def typed_tuples(draw: st.DrawFn) -> tuple[list[str], list[object]]:
    types = draw(st.lists(st.sampled_from(TYPES), min_size=1, max_size=5))
    return types, [draw(values_of(abi_type)) for abi_type in types]


@given(typed_tuples())
def test_encoding_matches_eth_abi(case: tuple[list[str], list[object]]) -> None:
    types, values = case
    assert encode(types, values) == eth_abi.encode(types, values)


@given(typed_tuples())
def test_text_forms_encode_like_the_values(case: tuple[list[str], list[object]]) -> None:
    types, values = case
    texts = [value_to_json(abi_type, value) for abi_type, value in zip(types, values, strict=True)]
    assert encode(types, texts) == encode(types, values)


@given(st.lists(st.tuples(st.binary(min_size=20, max_size=20), st.integers(0, 2**256 - 1))))
def test_batch_encoding_matches_one_by_one(values: list[tuple[bytes, int]]) -> None:
    types = ["address", "uint256"]
    assert encode_many(types, values) == [encode(types, value) for value in values]


def test_batch_encoding_falls_back_for_text_forms() -> None:
    values = [("0x" + "11" * 20, "5"), (ADDRESS, 5)]
    words = encode_many(["address", "uint256"], values)
    assert words[0] == words[1] == bytes(12) + ADDRESS + (5).to_bytes(32)


def test_text_forms() -> None:
    assert value_to_json("address", ADDRESS) == "0x" + "11" * 20
    assert value_to_json("uint256", 2**200) == str(2**200)
    assert value_to_json("int16", -3) == "-3"
    assert value_to_json("bool", True) is True
    assert value_to_json("bytes2", b"\xab\xcd") == "0xabcd"


@pytest.mark.parametrize("abi_type", ["string", "bytes", "uint", "uint7", "uint264", "bytes33",
                                      "bytes0", "uint08", "address[]", "tuple"])  # fmt: skip
def test_unsupported_types_are_refused(abi_type: str) -> None:
    with pytest.raises(errors.UnsupportedAbiType) as raised:
        word_encoder(abi_type)
    assert raised.value.code == "unsupported_abi_type"


@pytest.mark.parametrize(
    ("abi_type", "value"),
    [
        ("uint8", 256), ("uint8", -1), ("int8", 128), ("int8", -129), ("uint256", True),
        ("uint256", 1.5), ("uint256", "12a"), ("uint256", " 12"), ("bool", 1),
        ("address", b"\x01" * 19), ("address", "0x" + "zz" * 20), ("address", "11" * 20),
        ("bytes4", b"\x01"), ("bytes4", "0x0102"),
    ],
)  # fmt: skip
def test_values_that_do_not_fit_are_refused(abi_type: str, value: object) -> None:
    with pytest.raises(errors.InvalidAbiValue):
        encode([abi_type], [value])


def test_wrong_arity_is_refused() -> None:
    with pytest.raises(errors.InvalidAbiValue):
        encode(["address", "uint256"], [ADDRESS])
    with pytest.raises(errors.InvalidAbiValue):
        encode_many(["address", "uint256"], [(ADDRESS, 1), (ADDRESS,)])
