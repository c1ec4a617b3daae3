"""Solidity ABI encoding of static values: `address`, `bool`, `uintN`, `intN`, `bytesN`.

Hand-written rather than taken from `eth_abi` for two reasons: the rules import nothing
third-party but keccak, so any implementation can be checked against them without a Python
Ethereum stack; and an epoch's Merkle trees hold a leaf per owner, a million of them, where
`eth_abi.encode` costs about 20 µs a leaf against 1.3 µs for these converters one by one and
0.6 µs for `encode_many` (measured here on (address, uint256) leaves). Static types are all the
trees need: each value is one 32-byte word, and `abi.encode` of a tuple of static values is
their words in order (no offsets, no lengths). The tests check every type against `eth_abi`.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from itertools import repeat
from operator import itemgetter
from typing import Any, Final

from milestone.rules.errors import InvalidAbiValue, UnsupportedAbiType

WORD_BYTES: Final[int] = 32
ADDRESS_BYTES: Final[int] = 20
_ADDRESS_PAD: Final[bytes] = bytes(WORD_BYTES - ADDRESS_BYTES)
_SIZED_TYPE: Final[re.Pattern[str]] = re.compile(r"(uint|int|bytes)([0-9]+)")
_INTEGER_TEXT: Final[re.Pattern[str]] = re.compile(r"-?[0-9]+|0[xX][0-9a-fA-F]+")

WordEncoder = Callable[[object], bytes]
JsonValue = str | bool


def encode(types: Sequence[str], values: Sequence[object]) -> bytes:
    """`abi.encode(values…)` for static `types`: one 32-byte word per value."""
    return make_encoder(types)(values)


def make_encoder(types: Sequence[str]) -> Callable[[Sequence[object]], bytes]:
    """An encoder for tuples of `types`, its per-type converters resolved once for speed."""
    converters = tuple(word_encoder(abi_type) for abi_type in types)
    count = len(converters)

    def encode_tuple(values: Sequence[object]) -> bytes:
        if len(values) != count:
            raise InvalidAbiValue(f"expected {count} values, got {len(values)}")
        return b"".join([convert(item) for convert, item in zip(converters, values, strict=True)])

    return encode_tuple


def encode_many(types: Sequence[str], values: Sequence[Sequence[object]]) -> list[bytes]:
    """
    `abi.encode` of many tuples of `types`, column by column.

    Same result as encoding each tuple, about three times faster on a million leaves: a column
    of raw 20-byte addresses or in-range integers is checked and converted by C-level `map`s,
    and only columns holding other forms (hex text, decimal text) go value by value.
    """
    if set(map(len, values)) - {len(types)}:
        raise InvalidAbiValue(f"every value must be a tuple of {len(types)} items")
    # Columns by itemgetter, not zip(*values): a million fresh tuples would wake the collector.
    columns = [
        _encode_column(abi_type, list(map(itemgetter(position), values)))
        for position, abi_type in enumerate(types)
    ]
    words = columns[0]
    for column in columns[1:]:
        words = list(map(bytes.__add__, words, column))
    return words


def _encode_column(abi_type: str, column: list[Any]) -> list[bytes]:
    convert = word_encoder(abi_type)
    kinds = set(map(type, column))
    if abi_type == "address" and kinds == {bytes} and set(map(len, column)) == {ADDRESS_BYTES}:
        return list(map(_ADDRESS_PAD.__add__, column))
    unsigned = abi_type.startswith("uint") and kinds == {int}
    if unsigned and min(column) >= 0 and max(column) < 1 << int(abi_type[4:]):
        return list(map(int.to_bytes, column, repeat(WORD_BYTES)))
    return list(map(convert, column))


def word_encoder(abi_type: str) -> WordEncoder:
    """The function turning a value of `abi_type` into its 32-byte ABI word."""
    if abi_type == "address":
        return _encode_address
    if abi_type == "bool":
        return _encode_bool
    match = _SIZED_TYPE.fullmatch(abi_type)
    if match is None:
        raise UnsupportedAbiType(f"{abi_type!r} is not a static ABI type this encoder handles")
    kind, size = match.group(1), int(match.group(2))
    if kind == "bytes":
        if not 1 <= size <= WORD_BYTES or match.group(2) != str(size):
            raise UnsupportedAbiType(f"{abi_type!r}: bytesN needs 1 <= N <= 32")
        return _fixed_bytes_encoder(size)
    if not (8 <= size <= 256 and size % 8 == 0) or match.group(2) != str(size):
        raise UnsupportedAbiType(f"{abi_type!r}: {kind}N needs N a multiple of 8 up to 256")
    if kind == "uint":
        return _unsigned_encoder(size)
    return _signed_encoder(size)


def value_to_json(abi_type: str, value: object) -> JsonValue:
    """
    The text form of a value in dumps: `0x` lowercase hex for addresses and bytesN, decimal
    strings for integers (JSON numbers lose precision past 2^53), JSON booleans for bools.
    """
    word = word_encoder(abi_type)(value)
    if abi_type == "bool":
        return word[-1] == 1
    if abi_type == "address":
        return "0x" + word[-ADDRESS_BYTES:].hex()
    kind, size = _SIZED_TYPE.fullmatch(abi_type).groups()  # type: ignore[union-attr]
    if kind == "bytes":
        return "0x" + word[: int(size)].hex()
    number = int.from_bytes(word)
    if kind == "int" and number >= 2 ** (WORD_BYTES * 8 - 1):
        number -= 2 ** (WORD_BYTES * 8)
    return str(number)


def _hex_bytes(value: object, size: int, label: str) -> bytes:
    if isinstance(value, str):
        text = value[2:] if value[:2] in ("0x", "0X") else None
        if text is None or len(text) != 2 * size:
            raise InvalidAbiValue(f"{label} must be 0x and {2 * size} hex digits, got {value!r}")
        try:
            return bytes.fromhex(text)
        except ValueError:
            raise InvalidAbiValue(f"{label} is not hex: {value!r}") from None
    if isinstance(value, bytes | bytearray) and len(value) == size:
        return bytes(value)
    raise InvalidAbiValue(f"{label} must be {size} bytes or their 0x hex, got {value!r}")


def _integer(value: object, label: str) -> int:
    if type(value) is int:
        return value
    if isinstance(value, str) and _INTEGER_TEXT.fullmatch(value):
        return int(value, 0) if value[:2] in ("0x", "0X") else int(value, 10)
    raise InvalidAbiValue(f"{label} must be an integer or its decimal text, got {value!r}")


def _encode_address(value: object) -> bytes:
    # The common case, raw 20-byte addresses, skips every other check.
    if type(value) is bytes and len(value) == ADDRESS_BYTES:
        return _ADDRESS_PAD + value
    return _ADDRESS_PAD + _hex_bytes(value, ADDRESS_BYTES, "address")


def _encode_bool(value: object) -> bytes:
    if type(value) is not bool:
        raise InvalidAbiValue(f"bool must be true or false, got {value!r}")
    return bytes(WORD_BYTES - 1) + (b"\x01" if value else b"\x00")


def _unsigned_encoder(bits: int) -> WordEncoder:
    limit = 1 << bits

    def encode_unsigned(value: object) -> bytes:
        number = value if type(value) is int else _integer(value, f"uint{bits}")
        if not 0 <= number < limit:
            raise InvalidAbiValue(f"{number} does not fit uint{bits}")
        return number.to_bytes(WORD_BYTES)

    return encode_unsigned


def _signed_encoder(bits: int) -> WordEncoder:
    low, high = -(1 << (bits - 1)), 1 << (bits - 1)

    def encode_signed(value: object) -> bytes:
        number = _integer(value, f"int{bits}")
        if not low <= number < high:
            raise InvalidAbiValue(f"{number} does not fit int{bits}")
        return number.to_bytes(WORD_BYTES, signed=True)

    return encode_signed


def _fixed_bytes_encoder(size: int) -> WordEncoder:
    padding = bytes(WORD_BYTES - size)

    def encode_fixed_bytes(value: object) -> bytes:
        return _hex_bytes(value, size, f"bytes{size}") + padding

    return encode_fixed_bytes
