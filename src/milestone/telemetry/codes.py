"""What each rejection code of the intake means, and what to do about it.

`milestone telemetry codes` prints this table, and the demo's report names these codes; the
rules behind them are docs/telemetry.md's checks, in the order the intake applies them.
"""

from __future__ import annotations

from typing import NamedTuple


class RejectionCode(NamedTuple):
    code: str
    check: int
    """The check of docs/telemetry.md that refuses it (0 decoding ... 11 consent)."""
    meaning: str
    remedy: str


REJECTION_CODES: tuple[RejectionCode, ...] = (
    RejectionCode("malformed_report", 0, "the item is not a report: not hex, wrong length",
                  "a gateway or firmware bug: fix the uploader"),
    RejectionCode("unsupported_version", 0, "the report's layout version is not 1",
                  "update the intake or the car's firmware so both speak one version"),
    RejectionCode("field_out_of_range", 0, "a field is out of its range (vehicle id 0, ...)",
                  "a firmware bug: fix the car's encoder"),
    RejectionCode("unknown_key", 1, "the key is not registered for this vehicle",
                  "register the car's key (`vehicle register`, `vehicle rotate-key`); if "
                  "the car is not ours, this is a forgery"),
    RejectionCode("revoked_key", 1, "the key was revoked, or retired before the trip ended",
                  "the car needs its new key; a revoked key's reports are refused for good"),
    RejectionCode("bad_signature", 2, "the signature does not verify",
                  "corruption on the way, or a forgery: look at the sender"),
    RejectionCode("replayed_sequence", 3, "the sequence is not above the vehicle's previous",
                  "a resend of an old report, or a replay: nothing to do if it repeats"),
    RejectionCode("duplicate_trip", 4, "the trip id was accepted before",
                  "a resend: the first one counted"),
    RejectionCode("end_before_start", 5, "the trip ends before it starts",
                  "a clock glitch in the car: its next trip is judged as if this never came"),
    RejectionCode("trip_before_genesis", 5, "the trip starts before the program began",
                  "a car clock far behind: fix the clock"),
    RejectionCode("trip_in_future", 5, "the trip ends later than now plus the clock skew",
                  "a car clock ahead: its next trip is judged as if this never came"),
    RejectionCode("overlaps_previous_trip", 5, "the trip starts before the previous one ended",
                  "two reports for one drive, or a stolen key: repeated, revoke the key"),
    RejectionCode("odometer_backwards", 6, "the odometer goes down during the trip",
                  "a garbled reading: the next trip continues from the previous good one"),
    RejectionCode("odometer_overlap", 6, "the trip starts below where the previous one ended",
                  "two reports for one drive, or a stolen key: repeated, revoke the key"),
    RejectionCode("odometer_gap", 6, "the trip starts far from where the previous one ended",
                  "driving nobody reported; the next trip continues from this one"),
    RejectionCode("distance_mismatch", 7, "the distance disagrees with the odometer",
                  "a sensor fault: the next trip continues from the previous good one"),
    RejectionCode("over_speed", 8, "the average speed is above the program's limit",
                  "a garbled reading, or a forgery: the next trip is judged without it"),
    RejectionCode("epoch_closed", 9, "the trip's epoch was already settled",
                  "upload sooner: within the grace after midnight UTC"),
    RejectionCode("epoch_cap_reached", 10, "the vehicle reached its daily distance cap",
                  "nothing: the cap bounds what one car earns a day"),
    RejectionCode("no_mileage_consent", 11, "no mileage consent covered the whole trip",
                  "the owner grants `mileage` consent for the car; trips before it never count"),
)

EXPLAINED = {entry.code: entry for entry in REJECTION_CODES}
