"""Signing trip reports in the car: the factory key, the sequence counter, the odometer.

This is the reference for the firmware team: a report is the canonical body of
`milestone.rules.reports`, signed with Ed25519 over `SIGNING_CONTEXT ‖ body`, sent as
`body ‖ signature`. The car numbers its reports 1, 2, 3, ... and never reuses a number, even
after a key rotation.
"""

from __future__ import annotations

from nacl.signing import SigningKey

from milestone.rules.reports import (
    SIGNING_CONTEXT,
    TripBehaviour,
    TripReport,
    encode_report,
)


def generate_signing_key() -> SigningKey:
    """A fresh Ed25519 key, as the factory provisions one."""
    return SigningKey.generate()


class VehicleSigner:
    """One car's signer: it numbers the reports and signs them with the current key."""

    def __init__(
        self,
        vehicle_id: int,
        signing_key: SigningKey,
        *,
        last_sequence: int = 0,
        firmware: str = "1.0.0",
    ) -> None:
        self.vehicle_id = vehicle_id
        self.signing_key = signing_key
        self.last_sequence = last_sequence
        self.firmware = firmware

    @property
    def public_key(self) -> bytes:
        """The 32-byte public key the operator registers for this car."""
        return bytes(self.signing_key.verify_key)

    def rotate_key(self, signing_key: SigningKey) -> None:
        """Sign from now on with `signing_key`; the sequence carries on."""
        self.signing_key = signing_key

    def sign(self, report: TripReport) -> bytes:
        """The envelope of `report`: its canonical body followed by the body's signature."""
        body = encode_report(report)
        signature = self.signing_key.sign(SIGNING_CONTEXT + body).signature
        return body + signature

    def report_trip(
        self,
        *,
        trip_id: bytes,
        started_at: int,
        ended_at: int,
        odometer_start_m: int,
        odometer_end_m: int,
        distance_m: int,
        behaviour: TripBehaviour | None = None,
    ) -> bytes:
        """Number, build and sign the report of one trip."""
        report = TripReport(
            vehicle_id=self.vehicle_id,
            public_key=self.public_key,
            sequence=self.last_sequence + 1,
            trip_id=trip_id,
            started_at=started_at,
            ended_at=ended_at,
            odometer_start_m=odometer_start_m,
            odometer_end_m=odometer_end_m,
            distance_m=distance_m,
            behaviour=behaviour,
            firmware=self.firmware,
        )
        envelope = self.sign(report)
        self.last_sequence = report.sequence
        return envelope
