"""Judging a batch of envelopes against what the program knows: one verdict per report.

This is the intake without the database: `decode_batch` turns raw items into decoded reports,
the caller loads an `IntakeSnapshot` for them in a few queries, and `judge_batch` applies the
checks in the program's order and says what to write. Keeping the judging free of I/O keeps it
fast (no query per report) and lets the tests drive it directly.

Checks, in order (the first failure names the verdict):
    malformed_report, unsupported_version, field_out_of_range     decoding
    unknown_key, revoked_key                                      the signing key
    bad_signature                                                 Ed25519
    then `milestone.rules.trips.validate_trip`                    sequence ... consent
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Final, NamedTuple

from nacl._sodium import ffi, lib

from milestone.rules.errors import RuleError
from milestone.rules.params import Parameters
from milestone.rules.reports import (
    SIGNING_CONTEXT,
    SignedReport,
    TripReport,
    decode_envelope,
    report_hash,
)
from milestone.rules.time import RoundShare
from milestone.rules.trips import (
    ConsentPeriod,
    DistanceMismatch,
    DuplicateTrip,
    EndBeforeStart,
    OdometerBackwards,
    OverSpeed,
    Ownership,
    ReplayedSequence,
    TripBeforeGenesis,
    TripContext,
    TripInFuture,
    TripRejected,
    VehicleCursor,
    consent_covers,
    find_violations,
    owner_during,
    validate_trip,
)
from milestone.rules.weights import BehaviourSummary, calculate_behaviour_multiplier

ACCEPTED: Final[str] = "accepted"
MILEAGE: Final[str] = "mileage"
DRIVING_BEHAVIOR: Final[str] = "driving_behavior"
PUBLIC_KEY_SIZE: Final[int] = 32
MAX_KEPT_ENVELOPE: Final[int] = 1_024
"""Rejected bytes are kept as evidence up to this size; a larger blob is not a report anyway."""
NO_PERIODS: Final[list[Any]] = []
NO_METERS: Final[dict[int, int]] = {}
NOT_AUTHENTIC_ADVANCE: Final[frozenset[str]] = frozenset(
    {ReplayedSequence.code, DuplicateTrip.code}
)
"""Authentic reports refused for these codes do not move the vehicle's cursor: they repeat the
past instead of continuing it."""
NOT_PLAUSIBLE: Final[frozenset[str]] = frozenset(
    {
        EndBeforeStart.code, TripBeforeGenesis.code, TripInFuture.code,
        OdometerBackwards.code, DistanceMismatch.code, OverSpeed.code,
    }
)
"""Reports refused for these codes contradict themselves or the clock, so where they say the
car ended up cannot be believed: they do not move the cursor either, and one glitch (a clock
jump, a garbled odometer) costs its own trip and not the next honest one too. A report that is
consistent in itself but does not continue the previous one (`overlaps_previous_trip`,
`odometer_overlap`, `odometer_gap`) still moves it: it is the car's account of where it is now
(after driving nobody reported, say), and without it every later report would be refused."""
CURSOR_STAYS: Final[frozenset[str]] = NOT_AUTHENTIC_ADVANCE | NOT_PLAUSIBLE


class Verdict(NamedTuple):
    """What the intake decided about one item of a batch; `replayed` when the same envelope
    was judged before and this is the original verdict again."""

    position: int
    code: str
    detail: str
    report_hash: bytes | None
    vehicle_id: int | None = None
    sequence: int | None = None
    trip_id: bytes | None = None
    replayed: bool = False

    @property
    def accepted(self) -> bool:
        return self.code == ACCEPTED


class KeyRecord(NamedTuple):
    """A registered vehicle key and the instants it stopped being good."""

    vehicle_id: int
    public_key: bytes
    retired_at: int | None
    revoked_at: int | None


class Decoded(NamedTuple):
    """One item of the batch after decoding; `signed` is None when decoding refused it."""

    position: int
    envelope: bytes | None
    report_hash: bytes | None
    signed: SignedReport | None
    error: RuleError | None


@dataclass(slots=True)
class IntakeSnapshot:
    """What the program knows about the batch's vehicles, loaded in a few queries."""

    genesis: int
    first_open_epoch: int = 0
    """Trips wholly before this epoch can no longer count (`milestone.telemetry.closure`)."""
    known_verdicts: dict[bytes, Verdict] = field(default_factory=dict)
    keys: dict[tuple[int, bytes], KeyRecord] = field(default_factory=dict)
    cursors: dict[int, VehicleCursor] = field(default_factory=dict)
    trip_ids: set[tuple[int, bytes]] = field(default_factory=set)
    epoch_meters: dict[int, dict[int, int]] = field(default_factory=dict)
    ownerships: dict[int, list[Ownership]] = field(default_factory=dict)
    consent: dict[tuple[int, int, str], list[ConsentPeriod]] = field(default_factory=dict)


class AcceptedTrip(NamedTuple):
    """A trip to store; raw telemetry and behaviour only as far as consent allows."""

    verdict: Verdict
    signed: SignedReport
    envelope: bytes
    owner_id: int
    shares: list[RoundShare]
    keep_raw: bool
    keep_envelope: bool
    keep_behaviour: bool
    behaviour_bps: int | None


class Rejection(NamedTuple):
    """A refused report to store for the operator and for appeals."""

    verdict: Verdict
    envelope: bytes | None
    owner_id: int | None


@dataclass(slots=True)
class BatchOutcome:
    """The verdicts in the batch's order and everything the batch writes."""

    verdicts: list[Verdict]
    accepted: list[AcceptedTrip] = field(default_factory=list)
    rejections: list[Rejection] = field(default_factory=list)
    cursors: dict[int, VehicleCursor] = field(default_factory=dict)


def decode_batch(items: Sequence[object]) -> list[Decoded]:
    """Decode every item; a refused item becomes a `Decoded` with its error, never an exception."""
    decoded = []
    for index, item in enumerate(items):
        envelope = item if type(item) is bytes else None
        if envelope is None and isinstance(item, bytes | bytearray | memoryview):
            envelope = bytes(item)
        digest = report_hash(envelope) if envelope is not None else None
        try:
            signed = decode_envelope(item if envelope is None else envelope)
        except RuleError as error:
            decoded.append(Decoded(index, envelope, digest, None, error))
        else:
            decoded.append(Decoded(index, envelope, digest, signed, None))
    return decoded


def signature_is_valid(public_key: bytes, signed: SignedReport) -> bool:
    """True when `signed.signature` is the key's Ed25519 signature of the signed message.

    libsodium's `crypto_sign_open`, the function PyNaCl's `VerifyKey.verify` and
    `nacl.bindings.crypto_sign_open` call, so the same refusals (among them non-canonical
    signatures, so a signature has one valid form and a resent report has one hash). Called
    through PyNaCl's cffi module directly, with no message buffer: the intake wants only the
    verdict, and the bindings' two allocations and the copy of the opened message back into
    Python cost 4 µs a report next to libsodium's 52 (`milestone bench ingest`).
    """
    if len(public_key) != PUBLIC_KEY_SIZE:
        return False  # libsodium reads 32 bytes from the pointer, whatever the length
    message = signed.signature + SIGNING_CONTEXT + signed.body
    status: int = lib.crypto_sign_open(ffi.NULL, ffi.NULL, message, len(message), public_key)
    return status == 0


def check_key(signed: SignedReport, keys: dict[tuple[int, bytes], KeyRecord], now: int) -> str:
    """The rejection code of the signing key, or "" when the key may sign this report.

    A revoked key is refused for every report judged after its revocation, whatever instants
    the report claims (a stolen key can claim any). A key retired by a rotation still signs
    trips that ended before the rotation: the car may upload them late.
    """
    report = signed.report
    key = keys.get((report.vehicle_id, report.public_key))
    if key is None:
        return "unknown_key"
    if key.revoked_at is not None and key.revoked_at <= now:
        return "revoked_key"
    if key.retired_at is not None and report.ended_at > key.retired_at:
        return "revoked_key"
    return ""


def judge_batch(
    decoded: Sequence[Decoded], snapshot: IntakeSnapshot, params: Parameters, now: int
) -> BatchOutcome:
    """Judge every decoded item; reports of one vehicle are judged in sequence order."""
    judge = BatchJudge(snapshot, params, now)
    for item in sorted(decoded, key=processing_order):
        judge.judge(item)
    outcome = judge.outcome
    outcome.verdicts.sort(key=lambda verdict: verdict.position)
    return outcome


def explain_batch(
    decoded: Sequence[Decoded], snapshot: IntakeSnapshot, params: Parameters, now: int
) -> list[list[str]]:
    """For each item, every check it fails against the snapshot (empty: it would be accepted)."""
    judge = BatchJudge(snapshot, params, now)
    return [judge.explain(item) for item in decoded]


def processing_order(item: Decoded) -> tuple[int, int, int]:
    """Refused bytes first, then each vehicle's reports by sequence, then arrival."""
    if item.signed is None:
        return (0, 0, item.position)
    return (item.signed.report.vehicle_id, item.signed.report.sequence, item.position)


class BatchJudge:
    """Judges one batch, carrying what earlier reports of the batch changed."""

    def __init__(self, snapshot: IntakeSnapshot, params: Parameters, now: int) -> None:
        self.snapshot = snapshot
        self.params = params
        self.now = now
        self.outcome = BatchOutcome(verdicts=[])
        self.judged: dict[bytes, Verdict] = dict(snapshot.known_verdicts)

    def judge(self, item: Decoded) -> None:
        if item.report_hash is not None and item.report_hash in self.judged:
            original = self.judged[item.report_hash]
            self.outcome.verdicts.append(original._replace(position=item.position, replayed=True))
            return
        if item.signed is None:
            assert item.error is not None
            self.reject(item, item.error.code, item.error.message, keep_envelope=True)
            return
        code = check_key(item.signed, self.snapshot.keys, self.now)
        if code:
            self.reject(item, code, "the key is unknown, or no longer good, for this vehicle", True)
            return
        report = item.signed.report
        if not signature_is_valid(report.public_key, item.signed):
            self.reject(item, "bad_signature", "the signature does not verify", True)
            return
        owner_id, mileage, behaviour, context = self.context_for(report)
        try:
            shares = validate_trip(report, context, self.params, self.now)
        except TripRejected as rejection:
            if rejection.code not in CURSOR_STAYS:
                self.advance_cursor(item.signed)
            keep = Privacy.of(report, mileage, behaviour).may_keep_envelope
            self.reject(item, rejection.code, rejection.message, keep, owner_id)
            return
        assert owner_id is not None and item.envelope is not None
        self.advance_cursor(item.signed)
        self.snapshot.trip_ids.add((report.vehicle_id, report.trip_id))
        epoch_meters = self.snapshot.epoch_meters.setdefault(report.vehicle_id, {})
        for share in shares:
            epoch_meters[share.epoch] = epoch_meters.get(share.epoch, 0) + share.meters
        # Validation proved the mileage consent covers the trip.
        keep_raw = not revoked_since(mileage, report.started_at)
        behaviour_covered = report.behaviour is not None and consent_covers(
            behaviour, report.started_at, report.ended_at
        )
        keep_behaviour = behaviour_covered and not revoked_since(behaviour, report.started_at)
        self.outcome.accepted.append(
            AcceptedTrip(
                self.verdict(item, ACCEPTED, ""),
                item.signed,
                item.envelope,
                owner_id,
                shares,
                keep_raw,
                keep_raw and (report.behaviour is None or keep_behaviour),
                keep_behaviour,
                self.behaviour_bps(report) if behaviour_covered else None,
            )
        )

    def context_for(
        self, report: TripReport
    ) -> tuple[int | None, Sequence[ConsentPeriod], Sequence[ConsentPeriod], TripContext]:
        """The owner at the time of driving, their consent, and what the checks compare with."""
        snapshot = self.snapshot
        vehicle_id = report.vehicle_id
        owner_id = owner_during(
            snapshot.ownerships.get(vehicle_id, NO_PERIODS), report.started_at, report.ended_at
        )
        if owner_id is None:
            mileage = behaviour = NO_PERIODS
        else:
            mileage = snapshot.consent.get((owner_id, vehicle_id, MILEAGE), NO_PERIODS)
            behaviour = snapshot.consent.get((owner_id, vehicle_id, DRIVING_BEHAVIOR), NO_PERIODS)
        context = TripContext(
            snapshot.genesis,
            snapshot.cursors.get(vehicle_id),
            (vehicle_id, report.trip_id) in snapshot.trip_ids,
            snapshot.epoch_meters.get(vehicle_id, NO_METERS),
            mileage,
            snapshot.first_open_epoch,
        )
        return owner_id, mileage, behaviour, context

    def explain(self, item: Decoded) -> list[str]:
        """Every check the item fails, in order (for operators and appeals)."""
        if item.signed is None:
            assert item.error is not None
            return [item.error.code]
        codes = []
        key_code = check_key(item.signed, self.snapshot.keys, self.now)
        if key_code:
            codes.append(key_code)
        report = item.signed.report
        if not signature_is_valid(report.public_key, item.signed):
            codes.append("bad_signature")
        context = self.context_for(report)[3]
        return codes + find_violations(report, context, self.params, self.now)

    def behaviour_bps(self, report: TripReport) -> int:
        """The multiplier the trip's behaviour earns, under `driving_behavior` consent."""
        assert report.behaviour is not None
        summary = BehaviourSummary(
            meters=report.distance_m,
            harsh_brakes=report.behaviour.harsh_brakes,
            harsh_accelerations=report.behaviour.harsh_accelerations,
            speeding_seconds=report.behaviour.speeding_seconds,
        )
        return calculate_behaviour_multiplier(
            summary,
            self.params.behaviour_multiplier_min_bps,
            self.params.behaviour_multiplier_max_bps,
        )

    def advance_cursor(self, signed: SignedReport) -> None:
        report = signed.report
        cursor = VehicleCursor(report.sequence, report.ended_at, report.odometer_end_m)
        self.snapshot.cursors[report.vehicle_id] = cursor
        self.outcome.cursors[report.vehicle_id] = cursor

    def verdict(self, item: Decoded, code: str, detail: str) -> Verdict:
        if item.signed is None:
            verdict = Verdict(item.position, code, detail, item.report_hash)
        else:
            report = item.signed.report
            verdict = Verdict(
                item.position, code, detail, item.report_hash, report.vehicle_id,
                report.sequence, report.trip_id,
            )
        self.outcome.verdicts.append(verdict)
        if item.report_hash is not None:
            self.judged[item.report_hash] = verdict
        return verdict

    def reject(
        self,
        item: Decoded,
        code: str,
        detail: str,
        keep_envelope: bool,
        owner_id: int | None = None,
    ) -> None:
        verdict = self.verdict(item, code, detail)
        if item.report_hash is None:
            return  # not bytes at all: nothing to keep or to recognise again
        envelope = item.envelope
        if not keep_envelope or envelope is None or len(envelope) > MAX_KEPT_ENVELOPE:
            envelope = None
        self.outcome.rejections.append(Rejection(verdict, envelope, owner_id))


class Privacy(NamedTuple):
    """What consent lets the intake keep of one authentic report.

    The signed envelope holds every field, behaviour included, so it is kept only where both
    its mileage data and (if present) its behaviour summary may be; the same holds for the
    envelope of a rejected authentic report, kept as evidence. A revocation since the trip
    began means the owner already asked for its raw data to go.
    """

    keep_raw: bool
    keep_behaviour: bool
    behaviour_covered: bool
    may_keep_envelope: bool

    @classmethod
    def of(
        cls,
        report: TripReport,
        mileage: Sequence[ConsentPeriod],
        behaviour: Sequence[ConsentPeriod],
    ) -> Privacy:
        start, end = report.started_at, report.ended_at
        mileage_ok = consent_covers(mileage, start, end) and not revoked_since(mileage, start)
        behaviour_covered = report.behaviour is not None and consent_covers(behaviour, start, end)
        behaviour_ok = behaviour_covered and not revoked_since(behaviour, start)
        return cls(
            keep_raw=mileage_ok,
            keep_behaviour=behaviour_ok,
            behaviour_covered=behaviour_covered,
            may_keep_envelope=mileage_ok and (report.behaviour is None or behaviour_ok),
        )


def revoked_since(periods: Sequence[ConsentPeriod], instant: int) -> bool:
    """True when a grant was revoked after `instant`.

    A report judged after the revocation of the grant that covered its trip still counts (the
    driving happened under consent), but its raw telemetry is not kept: the owner has already
    asked for it to be deleted.
    """
    if len(periods) == 1 and periods[0].revoked_at is None:  # the common case
        return False
    return any(p.revoked_at is not None and p.revoked_at > instant for p in periods)
