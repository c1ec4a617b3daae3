"""The trip report a vehicle signs: its fields and its canonical byte layout, version 1.

A report travels as an *envelope*: the fixed 134-byte body followed by the 64-byte Ed25519
signature of `SIGNING_CONTEXT ‖ body`. Every field has one fixed width and one encoding, so a
report has exactly one byte form: the same trip signed twice gives the same envelope, and the
keccak-256 of the envelope (`report_hash`) identifies it. The layout is the contract with the
car's firmware; `docs/telemetry.md` states it with a test vector, and any change to it is a new
`version`.

Layout of body version 1 (integers unsigned, big-endian):

    offset size field
       0    1  version               1
       1    8  vehicle_id            registry id of the vehicle
       9   32  public_key            the Ed25519 key that signs this report
      41    8  sequence              per-vehicle counter, 1, 2, 3, ...
      49   16  trip_id               chosen by the vehicle, unique per vehicle
      65    8  started_at            Unix seconds, UTC
      73    8  ended_at              Unix seconds, UTC
      81    8  odometer_start_m      meters
      89    8  odometer_end_m        meters
      97    8  distance_m            meters driven, as the vehicle measured them
     105    1  has_behaviour         0 or 1
     106    4  harsh_brakes          count (0 when has_behaviour is 0)
     110    4  harsh_accelerations   count (0 when has_behaviour is 0)
     114    4  speeding_seconds      seconds (0 when has_behaviour is 0)
     118   16  firmware              printable ASCII, right-padded with NUL bytes
"""

from __future__ import annotations

import struct
from functools import lru_cache
from typing import Final, NamedTuple

from milestone.rules.errors import RuleError
from milestone.rules.hashing import keccak256

REPORT_VERSION: Final[int] = 1
SIGNING_CONTEXT: Final[bytes] = b"milestone/trip-report\x00"
"""Prefixed to the body before signing, so a vehicle key's signature means a trip report only."""

BODY_LAYOUT: Final[struct.Struct] = struct.Struct(">BQ32sQ16sQQQQQBIII16s")
BODY_SIZE: Final[int] = BODY_LAYOUT.size
SIGNATURE_SIZE: Final[int] = 64
ENVELOPE_SIZE: Final[int] = BODY_SIZE + SIGNATURE_SIZE

MAX_FIELD: Final[int] = 2**63 - 1
"""Every 64-bit field must fit a signed SQL BIGINT: larger values are refused, not wrapped."""
MAX_COUNTER: Final[int] = 2**32 - 1
FIRMWARE_SIZE: Final[int] = 16


class MalformedReport(RuleError):
    """Bytes that are not a version-1 report: wrong length, wrong type, non-canonical fields."""

    code = "malformed_report"


class UnsupportedVersion(RuleError):
    """A report whose version byte this implementation does not know."""

    code = "unsupported_version"


class FieldOutOfRange(RuleError):
    """A field outside the range the program stores: zero sequence, a value above 2^63 - 1."""

    code = "field_out_of_range"


class TripBehaviour(NamedTuple):
    """What the vehicle observed about the driving, shared only under `driving_behavior` consent."""

    harsh_brakes: int
    harsh_accelerations: int
    speeding_seconds: int


class TripReport(NamedTuple):
    """One trip as the vehicle reports it (the fields of the body, decoded).

    An immutable record; a named tuple rather than a frozen dataclass because the intake builds
    one per report and a frozen dataclass is five times slower to construct.
    """

    vehicle_id: int
    public_key: bytes
    sequence: int
    trip_id: bytes
    started_at: int
    ended_at: int
    odometer_start_m: int
    odometer_end_m: int
    distance_m: int
    behaviour: TripBehaviour | None
    firmware: str
    version: int = REPORT_VERSION


class SignedReport(NamedTuple):
    """A decoded envelope: the report, the exact bytes signed, and the signature."""

    report: TripReport
    body: bytes
    signature: bytes

    @property
    def signed_message(self) -> bytes:
        """The bytes the vehicle key signed."""
        return SIGNING_CONTEXT + self.body


def encode_report(report: TripReport) -> bytes:
    """The canonical body of `report`; refuses any value the decoder would refuse."""
    check_report_fields(report)
    behaviour = report.behaviour or TripBehaviour(0, 0, 0)
    return BODY_LAYOUT.pack(
        report.version,
        report.vehicle_id,
        report.public_key,
        report.sequence,
        report.trip_id,
        report.started_at,
        report.ended_at,
        report.odometer_start_m,
        report.odometer_end_m,
        report.distance_m,
        0 if report.behaviour is None else 1,
        behaviour.harsh_brakes,
        behaviour.harsh_accelerations,
        behaviour.speeding_seconds,
        report.firmware.encode("ascii").ljust(FIRMWARE_SIZE, b"\x00"),
    )


def decode_envelope(envelope: object) -> SignedReport:
    """Split and decode an envelope; anything but the canonical bytes of a v1 report is refused.

    The signature is not checked here (that needs the key, which the caller looks up): this only
    establishes that the bytes *are* a report.
    """
    if type(envelope) is bytes:
        data = envelope
    elif isinstance(envelope, bytes | bytearray | memoryview):
        data = bytes(envelope)
    else:
        raise MalformedReport(f"a report is bytes, not {type(envelope).__name__}")
    if data and data[0] != REPORT_VERSION:
        raise UnsupportedVersion(f"report version {data[0]} is not supported")
    if len(data) != ENVELOPE_SIZE:
        raise MalformedReport(f"a version-1 envelope is {ENVELOPE_SIZE} bytes, not {len(data)}")
    body, signature = data[:BODY_SIZE], data[BODY_SIZE:]
    return SignedReport(report=decode_body(body), body=body, signature=signature)


def decode_body(body: bytes) -> TripReport:
    """Decode a canonical version-1 body."""
    if len(body) != BODY_SIZE:
        raise MalformedReport(f"a version-1 body is {BODY_SIZE} bytes, not {len(body)}")
    (
        version, vehicle_id, public_key, sequence, trip_id, started_at, ended_at,
        odometer_start_m, odometer_end_m, distance_m, has_behaviour, harsh_brakes,
        harsh_accelerations, speeding_seconds, firmware_bytes,
    ) = BODY_LAYOUT.unpack(body)
    if version != REPORT_VERSION:
        raise UnsupportedVersion(f"report version {version} is not supported")
    # The layout already fixes every width and sign; what is left are the program's bounds.
    widest = max(vehicle_id, sequence, started_at, ended_at, odometer_start_m, odometer_end_m,
                 distance_m)
    if widest > MAX_FIELD or vehicle_id == 0 or sequence == 0:
        raise FieldOutOfRange(f"64-bit fields lie in [0, {MAX_FIELD}], vehicle_id and sequence"
                              " start at 1")
    if has_behaviour == 1:
        behaviour: TripBehaviour | None = TripBehaviour(
            harsh_brakes, harsh_accelerations, speeding_seconds
        )
    elif has_behaviour == 0 and not (harsh_brakes or harsh_accelerations or speeding_seconds):
        behaviour = None
    else:
        raise MalformedReport("has_behaviour is 0 (counters all zero) or 1")
    return TripReport(
        vehicle_id, public_key, sequence, trip_id, started_at, ended_at, odometer_start_m,
        odometer_end_m, distance_m, behaviour, decode_firmware(firmware_bytes), version,
    )


@lru_cache(maxsize=256)
def decode_firmware(field: bytes) -> str:
    """The firmware text of a NUL-padded field; padding only at the end, printable ASCII only.

    Cached: a fleet runs a handful of firmware versions.
    """
    text = field.rstrip(b"\x00")
    if not text or not text.isascii() or not text.decode("ascii").isprintable():
        raise MalformedReport("firmware must be 1-16 printable ASCII characters, NUL-padded")
    return text.decode("ascii")


def check_report_fields(report: TripReport) -> None:
    """Refuse values no canonical body may carry."""
    if report.version != REPORT_VERSION:
        raise UnsupportedVersion(f"report version {report.version} is not supported")
    if len(report.public_key) != 32 or len(report.trip_id) != 16:
        raise MalformedReport("public_key is 32 bytes and trip_id 16 bytes")
    wide = (
        report.vehicle_id, report.sequence, report.started_at, report.ended_at,
        report.odometer_start_m, report.odometer_end_m, report.distance_m,
    )
    if any(not 0 <= value <= MAX_FIELD for value in wide):
        raise FieldOutOfRange(f"64-bit fields must lie in [0, {MAX_FIELD}]")
    if report.vehicle_id == 0 or report.sequence == 0:
        raise FieldOutOfRange("vehicle_id and sequence start at 1")
    if report.behaviour is not None:
        counters = (
            report.behaviour.harsh_brakes,
            report.behaviour.harsh_accelerations,
            report.behaviour.speeding_seconds,
        )
        if any(not 0 <= value <= MAX_COUNTER for value in counters):
            raise FieldOutOfRange(f"behaviour counters must lie in [0, {MAX_COUNTER}]")
    if not report.firmware.isascii():
        raise MalformedReport("firmware must be printable ASCII")
    firmware = report.firmware.encode("ascii")
    if len(firmware) > FIRMWARE_SIZE:
        raise MalformedReport("firmware is at most 16 characters")
    decode_firmware(firmware.ljust(FIRMWARE_SIZE, b"\x00"))


def report_hash(envelope: bytes) -> bytes:
    """The identity of a report: keccak-256 of its whole envelope (body and signature)."""
    return keccak256(envelope)
