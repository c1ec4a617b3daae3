"""The trip report's canonical layout: a test vector, round trips, and every refusal."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st
from nacl.signing import SigningKey, VerifyKey

from milestone.rules.reports import (
    BODY_SIZE,
    ENVELOPE_SIZE,
    MAX_FIELD,
    SIGNING_CONTEXT,
    FieldOutOfRange,
    MalformedReport,
    TripBehaviour,
    TripReport,
    UnsupportedVersion,
    decode_body,
    decode_envelope,
    encode_report,
    report_hash,
)

# The vector of docs/telemetry.md: key seed 00 01 02 ... 1f, vehicle 7, sequence 42.
VECTOR_SEED = bytes(range(32))
VECTOR_PUBLIC_KEY = "03a107bff3ce10be1d70dd18e74bc09967e4d6309ba50d5f1ddc8664125531b8"
VECTOR_BODY = "".join(
    [
        "01",  # version
        "0000000000000007",  # vehicle_id 7
        VECTOR_PUBLIC_KEY,
        "000000000000002a",  # sequence 42
        "00112233445566778899aabbccddeeff",  # trip_id
        "0000000069562980",  # started_at 1767254400 (2026-01-01T08:00:00Z)
        "0000000069563088",  # ended_at 1767256200 (+30 min)
        "0000000000bc6146",  # odometer_start_m 12,345,670
        "0000000000bcc2ee",  # odometer_end_m 12,370,670
        "00000000000061b4",  # distance_m 25,012
        "01",  # has_behaviour
        "00000001",  # harsh_brakes 1
        "00000002",  # harsh_accelerations 2
        "0000001e",  # speeding_seconds 30
        "322e342e31" + "00" * 11,  # firmware "2.4.1"
    ]
)
VECTOR_SIGNATURE = (
    "5deefe9ac75301e3db924594a35c4c97223cc5181403e09a30bbaaa71997b623"
    "4ac58fa10faa0c4f43337a5ddd9e81b03e12aa6289f0b5ae63f3daecb9df940b"
)
VECTOR_HASH = "ebdae95892314e08f0cbe9bd76444c550cc9822ef67b673052473c93332ad52e"


def vector_report() -> TripReport:
    return TripReport(
        vehicle_id=7,
        public_key=bytes.fromhex(VECTOR_PUBLIC_KEY),
        sequence=42,
        trip_id=bytes.fromhex("00112233445566778899aabbccddeeff"),
        started_at=1_767_254_400,
        ended_at=1_767_256_200,
        odometer_start_m=12_345_670,
        odometer_end_m=12_370_670,
        distance_m=25_012,
        behaviour=TripBehaviour(1, 2, 30),
        firmware="2.4.1",
    )


def test_the_documented_vector_encodes_signs_and_hashes_as_published() -> None:
    key = SigningKey(VECTOR_SEED)
    assert bytes(key.verify_key).hex() == VECTOR_PUBLIC_KEY
    body = encode_report(vector_report())
    assert len(body) == BODY_SIZE == 134
    assert body.hex() == VECTOR_BODY
    signature = key.sign(SIGNING_CONTEXT + body).signature
    assert signature.hex() == VECTOR_SIGNATURE
    assert report_hash(body + signature).hex() == VECTOR_HASH
    VerifyKey(bytes.fromhex(VECTOR_PUBLIC_KEY)).verify(SIGNING_CONTEXT + body, signature)


def test_the_vector_decodes_to_its_fields() -> None:
    envelope = bytes.fromhex(VECTOR_BODY + VECTOR_SIGNATURE)
    signed = decode_envelope(envelope)
    assert signed.report == vector_report()
    assert signed.signature.hex() == VECTOR_SIGNATURE
    assert signed.signed_message == SIGNING_CONTEXT + bytes.fromhex(VECTOR_BODY)


u63 = st.integers(min_value=0, max_value=MAX_FIELD)
u32 = st.integers(min_value=0, max_value=2**32 - 1)
reports = st.builds(
    TripReport,
    vehicle_id=st.integers(min_value=1, max_value=MAX_FIELD),
    public_key=st.binary(min_size=32, max_size=32),
    sequence=st.integers(min_value=1, max_value=MAX_FIELD),
    trip_id=st.binary(min_size=16, max_size=16),
    started_at=u63,
    ended_at=u63,
    odometer_start_m=u63,
    odometer_end_m=u63,
    distance_m=u63,
    behaviour=st.none() | st.builds(TripBehaviour, u32, u32, u32),
    firmware=st.text(
        alphabet=st.characters(min_codepoint=0x20, max_codepoint=0x7E), min_size=1, max_size=16
    ),
    version=st.just(1),
)


@given(reports)
def test_every_valid_report_round_trips_through_its_body(report: TripReport) -> None:
    body = encode_report(report)
    assert len(body) == BODY_SIZE
    assert decode_body(body) == report


@given(reports, st.integers(min_value=0, max_value=BODY_SIZE - 1), st.integers(1, 255))
def test_a_changed_byte_changes_the_report_or_is_refused(
    report: TripReport, position: int, flip: int
) -> None:
    body = bytearray(encode_report(report))
    body[position] ^= flip
    try:
        changed = decode_body(bytes(body))
    except (MalformedReport, UnsupportedVersion, FieldOutOfRange):
        return
    assert changed != report  # one body, one report: no two byte strings mean the same trip


@pytest.mark.parametrize(
    ("item", "code"),
    [
        (b"", "malformed_report"),
        (b"\x01" * 10, "malformed_report"),
        (b"\x02" + b"\x00" * (ENVELOPE_SIZE - 1), "unsupported_version"),
        (b"\x00" * ENVELOPE_SIZE, "unsupported_version"),
        ("a string", "malformed_report"),
        (None, "malformed_report"),
        (12345, "malformed_report"),
        (bytes.fromhex(VECTOR_BODY + VECTOR_SIGNATURE) + b"\x00", "malformed_report"),
        (bytes.fromhex(VECTOR_BODY + VECTOR_SIGNATURE)[:-1], "malformed_report"),
    ],
)
def test_bytes_that_are_not_an_envelope_are_refused_with_a_code(item: object, code: str) -> None:
    with pytest.raises((MalformedReport, UnsupportedVersion)) as refused:
        decode_envelope(item)
    assert refused.value.code == code


def patch_body(offset: int, replacement: bytes) -> bytes:
    body = bytearray(bytes.fromhex(VECTOR_BODY))
    body[offset : offset + len(replacement)] = replacement
    return bytes(body)


@pytest.mark.parametrize(
    ("body", "code"),
    [
        (patch_body(1, (2**63).to_bytes(8, "big")), "field_out_of_range"),  # vehicle_id
        (patch_body(41, (2**64 - 1).to_bytes(8, "big")), "field_out_of_range"),  # sequence
        (patch_body(41, bytes(8)), "field_out_of_range"),  # sequence 0
        (patch_body(1, bytes(8)), "field_out_of_range"),  # vehicle_id 0
        (patch_body(97, (2**63).to_bytes(8, "big")), "field_out_of_range"),  # distance
        (patch_body(105, b"\x02"), "malformed_report"),  # has_behaviour 2
        (patch_body(105, b"\x00"), "malformed_report"),  # counters without behaviour
        (patch_body(118, bytes(16)), "malformed_report"),  # empty firmware
        (patch_body(118, b"2.4\x001"), "malformed_report"),  # NUL inside the firmware
        (patch_body(118, b"2.4\xff"), "malformed_report"),  # not ASCII
        (patch_body(118, b"2.4\n"), "malformed_report"),  # not printable
    ],
)
def test_non_canonical_or_out_of_range_fields_are_refused(body: bytes, code: str) -> None:
    with pytest.raises((MalformedReport, FieldOutOfRange)) as refused:
        decode_body(body)
    assert refused.value.code == code


@pytest.mark.parametrize(
    "change",
    [
        {"sequence": 0},
        {"vehicle_id": 2**63},
        {"distance_m": -1},
        {"trip_id": b"short"},
        {"public_key": b"\x00" * 31},
        {"firmware": "a firmware name that is too long"},
        {"firmware": "héllo"},
        {"behaviour": TripBehaviour(2**32, 0, 0)},
        {"version": 2},
    ],
)
def test_the_encoder_refuses_what_the_decoder_would(change: dict[str, object]) -> None:
    report = vector_report()._replace(**change)  # type: ignore[arg-type]
    with pytest.raises((MalformedReport, FieldOutOfRange, UnsupportedVersion)):
        encode_report(report)


def test_a_report_without_behaviour_encodes_zero_counters() -> None:
    report = vector_report()._replace(behaviour=None)
    body = encode_report(report)
    assert body[105:118] == bytes(13)
    assert decode_body(body).behaviour is None
