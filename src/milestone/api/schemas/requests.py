"""What a request body may hold, said in the OpenAPI document exactly as the code checks it.

The document is the contract: a body the schema admits is one the services accept (or refuse
for the state of things: 404, 409), and a body it refuses never reaches a service. So request
models are strict (`"quantity": true` and `"quantity": "1"` are not integers), and every rule
a service applies to a single value (lengths, patterns, ranges, choices) is written here too.

Amounts of money (pebbles, fen) travel as strings of decimal digits, as they do in answers:
JavaScript numbers lose integers above 2^53, and a string never silently rounds. Every other
integer (ids, quantities, instants) is a plain JSON integer, at most 2^53 - 1 so that a
browser holds it exactly and a JSON Schema tool compares it without rounding.
"""

from __future__ import annotations

import datetime
import re
from typing import Annotated, Any

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    PlainValidator,
    WithJsonSchema,
)

from milestone.rules.units import MAX_AMOUNT

MAX_JSON_INTEGER = 2**53 - 1
"""The largest integer a JavaScript number (and a float-based schema checker) holds exactly."""

AMOUNT_DIGITS = 18
"""Any 18-digit number is below MAX_AMOUNT (2^63 - 1), so the pattern alone bounds an amount."""
assert 10**AMOUNT_DIGITS - 1 <= MAX_AMOUNT

AMOUNT_PATTERN = rf"^(0|[1-9][0-9]{{0,{AMOUNT_DIGITS - 1}}})$"
POSITIVE_AMOUNT_PATTERN = rf"^[1-9][0-9]{{0,{AMOUNT_DIGITS - 1}}}$"

TEXT_PATTERN = r"[^\s\x1c-\x1f]"
"""Text with something in it besides white space, which the services strip (Python's
`str.strip` also strips the four separators U+001C..U+001F, which regex `\\s` leaves)."""


class RequestModel(BaseModel):
    """A request body: strict types, so JSON means what it says."""

    model_config = ConfigDict(strict=True)


def _amount_parser(pattern: str, what: str) -> PlainValidator:
    compiled = re.compile(pattern.removeprefix("^").removesuffix("$"))

    def parse(value: Any) -> int:
        if not isinstance(value, str) or not compiled.fullmatch(value):
            raise ValueError(f"{what} is a string of decimal digits, like \"1000\"")
        return int(value)

    return PlainValidator(parse)


def _amount(pattern: str, description: str) -> Any:
    what = "an amount" if pattern == AMOUNT_PATTERN else "a positive amount"
    return Annotated[
        int,
        _amount_parser(pattern, what),
        WithJsonSchema({"type": "string", "pattern": pattern, "description": description}),
    ]


PebblesIn = _amount(AMOUNT_PATTERN, "Pebbles (1 stone = 10^8), as a string of digits.")
PositivePebblesIn = _amount(
    POSITIVE_AMOUNT_PATTERN, "Pebbles (1 stone = 10^8), more than zero, as a string of digits."
)
FenIn = _amount(AMOUNT_PATTERN, "CNY fen (1 yuan = 100 fen), as a string of digits.")
PositiveFenIn = _amount(
    POSITIVE_AMOUNT_PATTERN, "CNY fen (1 yuan = 100 fen), more than zero, as a string of digits."
)

def _integral(value: Any) -> Any:
    """JSON Schema counts 405.0 as the integer 405; so does the API. `true` stays refused."""
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


def integer(low: int, high: int, **extra: Any) -> Any:
    """A JSON integer from `low` to `high`: strict (no booleans, no strings), 405.0 admitted."""
    return Annotated[int, Field(ge=low, le=high, **extra), BeforeValidator(_integral)]


IdIn = integer(1, MAX_JSON_INTEGER)
CountIn = integer(0, MAX_JSON_INTEGER)
EpochIn = integer(0, 2**40)
MAX_UNIX_SECONDS = 253_402_300_799
"""9999-12-31T23:59:59Z: the last instant an answer can write in ISO 8601 (found by the fuzzer:
a campaign ending in the year 36812 was accepted, then could not be shown)."""
UnixSecondsIn = integer(0, MAX_UNIX_SECONDS, description="An instant, Unix seconds UTC.")


def _calendar_date(value: str) -> str:
    datetime.date.fromisoformat(value)  # ValueError for 2027-02-30
    return value


DateText = Annotated[
    str,
    Field(
        pattern=r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$", examples=["2027-03-31"],
        json_schema_extra={"format": "date"}, description="A calendar date, YYYY-MM-DD.",
    ),
    AfterValidator(_calendar_date),
]


def text(max_length: int, **extra: Any) -> Any:
    """A text field of 1 to `max_length` characters with something besides white space."""
    return Field(min_length=1, max_length=max_length, pattern=TEXT_PATTERN, **extra)


ED25519_FORMAT = "ed25519-public-key"
"""A JSON Schema format: 32 bytes, 0x-hex, that are a point of the Ed25519 curve (RFC 8032).
A pattern cannot say the last part; the format names it, and the fuzzer is taught it."""

VIN_FORMAT = "vin"
"""A JSON Schema format: an ISO 3779 vehicle identification number, 17 characters of
0-9 and A-Z without I, O, Q (either case), whose check digit is right where it applies."""

VinText = Annotated[
    str,
    Field(
        pattern=r"^[0-9A-HJ-NPR-Za-hj-npr-z]{17}$", examples=["LMSCSP709SM000001"],
        json_schema_extra={"format": VIN_FORMAT},
    ),
]

PublicKeyIn = Annotated[
    str,
    Field(
        pattern=r"^0x[0-9a-fA-F]{64}$",
        description="An Ed25519 public key: 32 bytes, 0x-hex, a point of the curve.",
        examples=["0x3b6a27bcceb6a42d62a3a8d02a6f0d73653215771de243a63ac048a18b59da29"],
        json_schema_extra={"format": ED25519_FORMAT},
    ),
]
