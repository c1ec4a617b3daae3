"""The vehicle-side signer: numbering, signing, rotation."""

from __future__ import annotations

import pytest
from nacl.exceptions import BadSignatureError
from nacl.signing import SigningKey, VerifyKey

from milestone.rules.reports import FieldOutOfRange, decode_envelope
from milestone.vehicle import VehicleSigner, generate_signing_key


def report(signer: VehicleSigner, **changes: int) -> bytes:
    fields = {"trip_id": b"\x01" * 16, "started_at": 100, "ended_at": 200,
              "odometer_start_m": 0, "odometer_end_m": 1_000, "distance_m": 1_000, **changes}
    return signer.report_trip(**fields)  # type: ignore[arg-type]


def test_reports_are_numbered_and_signed_by_the_current_key() -> None:
    signer = VehicleSigner(9, SigningKey(bytes(32)), firmware="3.1")
    first, second = report(signer), report(signer)
    decoded = [decode_envelope(first), decode_envelope(second)]
    assert [d.report.sequence for d in decoded] == [1, 2]
    assert all(d.report.vehicle_id == 9 and d.report.firmware == "3.1" for d in decoded)
    for signed in decoded:
        VerifyKey(signer.public_key).verify(signed.signed_message, signed.signature)
    new = generate_signing_key()
    signer.rotate_key(new)
    third = decode_envelope(report(signer))
    assert third.report.sequence == 3 and third.report.public_key == bytes(new.verify_key)
    with pytest.raises(BadSignatureError):
        VerifyKey(decoded[0].report.public_key).verify(third.signed_message, third.signature)


def test_signing_is_deterministic_so_a_resend_is_the_same_bytes() -> None:
    signer = VehicleSigner(9, SigningKey(bytes(32)))
    envelope = report(signer)
    report_again = decode_envelope(envelope).report
    assert signer.sign(report_again) == envelope


def test_a_report_the_program_would_refuse_is_not_signed_and_uses_no_number() -> None:
    signer = VehicleSigner(9, SigningKey(bytes(32)))
    with pytest.raises(FieldOutOfRange):
        report(signer, distance_m=-1)
    assert signer.last_sequence == 0
