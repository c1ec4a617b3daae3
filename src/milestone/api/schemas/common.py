"""Values every resource shares: amounts, instants, hashes and pages.

Every amount an answer carries is a string of digits: pebbles (with the stones beside them as an
exact decimal string) or CNY fen. JavaScript numbers lose integers above 2^53 (about 90 million
stones; the supply alone is 3·10^16 pebbles), so a browser reads the string, into a BigInt when
it must count. Instants travel as Unix seconds with their ISO 8601 form.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Any

from pydantic import BaseModel, Field

from milestone.rules.units import MAX_AMOUNT, format_pebbles

Pebbles = Annotated[int, Field(ge=0, le=MAX_AMOUNT, description="Pebbles (1 stone = 10^8).")]
Fen = Annotated[int, Field(ge=0, le=MAX_AMOUNT, description="CNY fen (1 yuan = 100 fen).")]
UnixSeconds = Annotated[int, Field(ge=0, le=2**40, description="An instant, Unix seconds UTC.")]
Id = Annotated[int, Field(ge=1, le=MAX_AMOUNT)]
HexHash = Annotated[str, Field(pattern=r"^0x[0-9a-f]{64}$", description="32 bytes, 0x-hex.")]
PublicKeyHex = Annotated[
    str,
    Field(
        pattern=r"^0x[0-9a-fA-F]{64}$", description="An Ed25519 public key: 32 bytes, 0x-hex.",
        examples=["0x" + "ab" * 32],
    ),
]



def _digits(value: Any) -> Any:
    return str(value) if isinstance(value, int) and not isinstance(value, bool) else value


PebblesText = Annotated[
    str,
    Field(pattern=r"^-?[0-9]+$", description="Pebbles (1 stone = 10^8), a string of digits.",
          examples=["7186958316221"]),
]
FenText = Annotated[
    str,
    Field(pattern=r"^-?[0-9]+$", description="CNY fen (1 yuan = 100 fen), a string of digits.",
          examples=["100000"]),
]


def digits_for_json(value: Any) -> Any:
    """`value` with every integer in it as a string of digits (bools stay bools)."""
    if isinstance(value, dict):
        return {key: digits_for_json(item) for key, item in value.items()}
    if isinstance(value, list):
        return [digits_for_json(item) for item in value]
    return _digits(value)


class Amount(BaseModel):
    """An amount of stones: pebbles as a string of digits, and the same in stones."""

    pebbles: PebblesText
    stones: str = Field(examples=["71869.58316221"])

    @classmethod
    def of(cls, pebbles: int) -> Amount:
        return cls(pebbles=str(pebbles), stones=format_pebbles(pebbles))


class Instant(BaseModel):
    """A moment: Unix seconds (UTC) and the same as ISO 8601."""

    unix: int
    iso: str = Field(examples=["2026-11-22T00:00:00Z"])

    @classmethod
    def of(cls, unix: int) -> Instant:
        return cls(unix=unix, iso=iso_8601(unix))


def iso_8601(unix: int) -> str:
    return datetime.fromtimestamp(unix, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def hex_of(value: bytes) -> str:
    return "0x" + value.hex()


def optional_hex(value: bytes | None) -> str | None:
    return None if value is None else hex_of(bytes(value))


def bytes_of(text: str) -> bytes:
    """The bytes of 0x-hex text the schema already checked."""
    return bytes.fromhex(text.removeprefix("0x"))


def optional_instant(unix: int | None) -> Instant | None:
    return None if unix is None else Instant.of(unix)
