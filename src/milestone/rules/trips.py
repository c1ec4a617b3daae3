"""Which trip reports count: the checks a signed report must pass before its meters are mined.

The intake (`milestone.telemetry`) first decodes the envelope, finds the key and verifies the
signature; those need cryptography and storage. Everything after that is here, as pure functions
over explicit values, in the order the program applies them:

    replayed_sequence       the sequence is not above the vehicle's previous one
    duplicate_trip          the vehicle already had a trip with this trip id accepted
    end_before_start, trip_before_genesis, trip_in_future, overlaps_previous_trip
    odometer_backwards, odometer_overlap, odometer_gap
    distance_mismatch       the distance disagrees with the odometer
    over_speed              the average speed is above a physical limit
    epoch_closed            every epoch the trip drove in is closed for settlement
    epoch_cap_reached       the vehicle has no room left under its per-epoch cap
    no_mileage_consent      no `mileage` grant of the owner covers the whole trip

The first failing check names the rejection; `find_violations` lists every failing check, for
the operator and for appeals.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence
from typing import Final, NamedTuple

from milestone.rules.errors import RuleError
from milestone.rules.params import Parameters
from milestone.rules.reports import TripReport
from milestone.rules.time import RoundShare, epoch_of, prorate_distance

BASIS_POINTS: Final[int] = 10_000
METERS_PER_KILOMETER: Final[int] = 1_000
SECONDS_PER_HOUR: Final[int] = 3_600


class TripRejected(RuleError):
    """A report that must not be mined; the subclass's `code` says which check refused it."""

    code = "trip_rejected"


class ReplayedSequence(TripRejected):
    code = "replayed_sequence"


class DuplicateTrip(TripRejected):
    code = "duplicate_trip"


class EndBeforeStart(TripRejected):
    code = "end_before_start"


class TripBeforeGenesis(TripRejected):
    code = "trip_before_genesis"


class TripInFuture(TripRejected):
    code = "trip_in_future"


class OverlapsPreviousTrip(TripRejected):
    code = "overlaps_previous_trip"


class OdometerBackwards(TripRejected):
    code = "odometer_backwards"


class OdometerOverlap(TripRejected):
    code = "odometer_overlap"


class OdometerGap(TripRejected):
    code = "odometer_gap"


class DistanceMismatch(TripRejected):
    code = "distance_mismatch"


class OverSpeed(TripRejected):
    code = "over_speed"


class EpochClosed(TripRejected):
    code = "epoch_closed"


class EpochCapReached(TripRejected):
    code = "epoch_cap_reached"


class NoMileageConsent(TripRejected):
    code = "no_mileage_consent"


class VehicleCursor(NamedTuple):
    """Where the vehicle's previous authentic report left it."""

    sequence: int
    ended_at: int
    odometer_end_m: int


class ConsentPeriod(NamedTuple):
    """A grant in force over `[granted_at, revoked_at)`; `revoked_at` None means still in force."""

    granted_at: int
    revoked_at: int | None


class Ownership(NamedTuple):
    """A vehicle bound to an owner over `[started_at, ended_at)`; `ended_at` None: still bound."""

    owner_id: int
    started_at: int
    ended_at: int | None


class TripContext(NamedTuple):
    """What the program knew about the vehicle when the report arrived."""

    genesis: int
    previous: VehicleCursor | None
    trip_id_seen: bool
    epoch_meters_counted: Mapping[int, int]
    mileage_consent: Sequence[ConsentPeriod]
    first_open_epoch: int = 0
    """The earliest epoch settlement will still count driving of (see `first_open_epoch`)."""


def check_sequence(report: TripReport, previous: VehicleCursor | None) -> None:
    """Refuse a sequence number that is not above the vehicle's previous one.

    A vehicle numbers its reports 1, 2, 3, ...; a copy of an old report, or an old report
    re-signed, can only carry a number the program has already seen. Gaps are allowed: a report
    lost on the way must not block every later one.
    """
    if previous is not None and report.sequence <= previous.sequence:
        raise ReplayedSequence(
            f"sequence {report.sequence} is not above the previous {previous.sequence}"
        )


def check_trip_id(trip_id_seen: bool) -> None:
    """Refuse a trip id the vehicle already used for an accepted trip."""
    if trip_id_seen:
        raise DuplicateTrip("this vehicle already reported a trip with this trip id")


def check_times(
    report: TripReport, previous: VehicleCursor | None, genesis: int, now: int, skew: int
) -> None:
    """Refuse a trip that ends before it starts, lies before genesis or in the future, or
    starts before the previous trip ended.

    The vehicle's clock may run a little ahead of the program's, so "the future" starts `skew`
    seconds after `now`; the same allowance absorbs a clock correction between two trips.
    """
    if report.ended_at < report.started_at:
        raise EndBeforeStart(f"trip ends at {report.ended_at}, before it starts")
    if report.started_at < genesis:
        raise TripBeforeGenesis(f"trip starts at {report.started_at}, before genesis {genesis}")
    if report.ended_at > now + skew:
        raise TripInFuture(f"trip ends at {report.ended_at}, after {now} + {skew} s of skew")
    if previous is not None and report.started_at < previous.ended_at - skew:
        raise OverlapsPreviousTrip(
            f"trip starts at {report.started_at}, before the previous one ended"
        )


def check_odometer(report: TripReport, previous: VehicleCursor | None, tolerance_m: int) -> None:
    """Refuse an odometer that runs backwards, or that does not continue the previous trip.

    A trip starts where the previous one ended, within `tolerance_m` (odometer resolution,
    the car moved on a tow truck or a ferry); more than that means driving nobody reported or a
    report that does not belong to this car.
    """
    if report.odometer_end_m < report.odometer_start_m:
        raise OdometerBackwards("odometer at the end is below the odometer at the start")
    if previous is None:
        return
    if report.odometer_start_m < previous.odometer_end_m - tolerance_m:
        raise OdometerOverlap(
            f"odometer starts at {report.odometer_start_m} m, before the previous trip's"
            f" end at {previous.odometer_end_m} m"
        )
    if report.odometer_start_m > previous.odometer_end_m + tolerance_m:
        raise OdometerGap(
            f"odometer starts at {report.odometer_start_m} m, beyond the previous trip's"
            f" end at {previous.odometer_end_m} m"
        )


def check_distance(report: TripReport, tolerance_m: int, tolerance_bps: int) -> None:
    """Refuse a distance that disagrees with the odometer.

    The allowed difference is the larger of `tolerance_m` and `tolerance_bps` of the odometer
    difference (rounded down): short trips suffer the odometer's resolution, long ones the
    drift between wheel and odometer counts.
    """
    odometer_m = report.odometer_end_m - report.odometer_start_m
    allowed = max(tolerance_m, abs(odometer_m) * tolerance_bps // BASIS_POINTS)
    if abs(report.distance_m - odometer_m) > allowed:
        raise DistanceMismatch(
            f"distance {report.distance_m} m against {odometer_m} m on the odometer"
        )


def check_speed(report: TripReport, max_average_speed_kmh: int) -> None:
    """Refuse an average speed above `max_average_speed_kmh`, compared in integers.

    distance / duration > limit is tested as distance · 3600 > limit · 1000 · duration, so no
    division rounds; a trip of no duration may not cover any distance.
    """
    duration = max(report.ended_at - report.started_at, 0)
    limit = max_average_speed_kmh * METERS_PER_KILOMETER * duration
    if report.distance_m * SECONDS_PER_HOUR > limit:
        raise OverSpeed(
            f"{report.distance_m} m in {duration} s is above {max_average_speed_kmh} km/h"
        )


def first_open_epoch(now: int, genesis: int, epoch_seconds: int, grace_seconds: int) -> int:
    """The earliest epoch whose inputs are still open at `now`.

    Settlement freezes epoch `e` from the trips received by its cutoff, `e`'s end plus
    `grace_seconds` (late uploads), inclusive; a trip received later never counts for `e`. So
    `e` is open while `now <= end(e) + grace`, and the first open epoch is the least such `e`,
    `ceil((now - grace - genesis) / epoch_seconds) - 1` (never below 0). Epochs close in order.
    """
    elapsed = now - grace_seconds - genesis
    return max(-(-elapsed // epoch_seconds) - 1, 0)


def check_epoch_open(
    report: TripReport, genesis: int, epoch_seconds: int, first_open: int
) -> None:
    """Refuse a trip whose driving lies wholly in epochs already closed for settlement.

    The epoch of the trip's last second decides (the trip spans `[start, end)`; a trip of no
    duration, its instant): once that epoch is closed, none of the trip's meters can count for
    any epoch, and accepting it would tell the owner a falsehood. A trip across midnight into
    an epoch still open is accepted; only its meters in open epochs count (`open_shares`).
    """
    last_second = max(report.started_at, report.ended_at - 1)
    last_epoch = epoch_of(last_second, genesis, epoch_seconds)
    if last_epoch < first_open:
        raise EpochClosed(
            f"the trip's epoch {last_epoch} is closed for settlement (the first open epoch"
            f" is {first_open}): it can no longer count"
        )


def open_shares(shares: Sequence[RoundShare], first_open: int) -> list[RoundShare]:
    """The round shares in epochs still open: settlement never counts the others."""
    if not shares or shares[0].epoch >= first_open:
        return list(shares)  # the common case: the whole trip is in open epochs
    return [share for share in shares if share.epoch >= first_open]


def count_capped_meters(
    shares: Sequence[RoundShare], epoch_meters_counted: Mapping[int, int], cap: int
) -> list[RoundShare]:
    """The trip's round shares that still fit under the vehicle's per-epoch cap.

    Rounds are filled in order of time, so the meters that count are the first ones driven; a
    round partly over the cap keeps the part under it. Refused when nothing fits although the
    trip covered some distance.
    """
    offered = 0
    fullest = 0
    for share in shares:
        offered += share.meters
        fullest = max(fullest, epoch_meters_counted.get(share.epoch, 0))
    if fullest + offered <= cap:
        return [share for share in shares if share.meters]  # it fits whole in every epoch
    counted: list[RoundShare] = []
    used = dict(epoch_meters_counted)
    for share in shares:
        room = max(cap - used.get(share.epoch, 0), 0)
        meters = min(share.meters, room)
        if meters > 0:
            whole = meters == share.meters
            counted.append(share if whole else RoundShare(share.epoch, share.round, meters))
            used[share.epoch] = used.get(share.epoch, 0) + meters
    if not counted and offered > 0:
        raise EpochCapReached("the vehicle has reached its per-epoch cap for this trip's epochs")
    return counted


def consent_covers(periods: Sequence[ConsentPeriod], start: int, end: int) -> bool:
    """True when the periods, joined end to end, cover every instant of the trip `[start, end)`.

    A trip is covered by a grant given at or before its start and revoked at or after its end.
    A trip of no duration needs its instant inside a period. Back-to-back periods (a new grant at
    the instant of a revocation, e.g. new terms) cover a trip that crosses the seam.
    """
    if len(periods) == 1:  # the common case, decided without the loop
        only = periods[0]
        if only.revoked_at is None:
            return only.granted_at <= start
        return only.granted_at <= start < only.revoked_at and end <= only.revoked_at
    reached = start
    ordered = sorted(periods, key=granted_at) if len(periods) > 1 else periods
    for period in ordered:
        if period.granted_at > reached:
            return False
        if period.revoked_at is None:
            return True
        reached = max(reached, period.revoked_at)
        if reached >= end and reached > start:
            return True
    return False


def owner_during(bindings: Sequence[Ownership], start: int, end: int) -> int | None:
    """The owner the vehicle was bound to for the whole trip `[start, end)`, or None.

    Mining credits the owner at the time of driving. A trip across a change of owner belongs to
    neither, and so cannot be covered by either owner's consent.
    """
    for binding in bindings:
        if binding.started_at > start:
            continue
        if binding.ended_at is None or (end <= binding.ended_at and start < binding.ended_at):
            return binding.owner_id
    return None


def granted_at(period: ConsentPeriod) -> int:
    return period.granted_at


def check_mileage_consent(report: TripReport, periods: Sequence[ConsentPeriod]) -> None:
    """Refuse a trip that no `mileage` grant of the owner at the time of driving covers whole."""
    if not consent_covers(periods, report.started_at, report.ended_at):
        raise NoMileageConsent("no mileage consent of the owner covers the whole trip")


def prorate_trip(report: TripReport, genesis: int, params: Parameters) -> list[RoundShare]:
    """The trip's distance spread over the drop rounds its time span touches."""
    return prorate_distance(
        report.started_at,
        report.ended_at,
        report.distance_m,
        genesis,
        epoch_seconds=params.epoch_seconds,
        rounds_per_epoch=params.rounds_per_epoch,
    )


def check_integrity(
    report: TripReport, context: TripContext, params: Parameters, now: int
) -> Iterator[Callable[[], None]]:
    """The checks that establish the report describes real driving of this car, in order
    (`validate_trip` calls the same checks directly, which is faster)."""
    yield lambda: check_sequence(report, context.previous)
    yield lambda: check_trip_id(context.trip_id_seen)
    yield lambda: check_times(
        report, context.previous, context.genesis, now, params.clock_skew_seconds
    )
    yield lambda: check_odometer(report, context.previous, params.odometer_gap_tolerance_meters)
    yield lambda: check_distance(
        report, params.distance_odometer_tolerance_meters, params.distance_odometer_tolerance_bps
    )
    yield lambda: check_speed(report, params.max_average_speed_kmh)


def validate_trip(
    report: TripReport, context: TripContext, params: Parameters, now: int
) -> list[RoundShare]:
    """Run every check in order and return the round shares that count toward mining.

    Raises the `TripRejected` subclass of the first check that fails.
    """
    check_sequence(report, context.previous)
    check_trip_id(context.trip_id_seen)
    check_times(report, context.previous, context.genesis, now, params.clock_skew_seconds)
    check_odometer(report, context.previous, params.odometer_gap_tolerance_meters)
    check_distance(
        report, params.distance_odometer_tolerance_meters, params.distance_odometer_tolerance_bps
    )
    check_speed(report, params.max_average_speed_kmh)
    check_epoch_open(report, context.genesis, params.epoch_seconds, context.first_open_epoch)
    counted = count_capped_meters(
        open_shares(prorate_trip(report, context.genesis, params), context.first_open_epoch),
        context.epoch_meters_counted,
        params.vehicle_epoch_cap_meters,
    )
    check_mileage_consent(report, context.mileage_consent)
    return counted


def find_violations(
    report: TripReport, context: TripContext, params: Parameters, now: int
) -> list[str]:
    """The code of every check the report fails, in order; empty when it would be accepted.

    The closed-epoch and cap checks need sane times to place the trip, so they are skipped
    when the time check fails; the cap is not checked for a trip whose epochs are all closed.
    """
    codes: list[str] = []
    for check in check_integrity(report, context, params, now):
        try:
            check()
        except TripRejected as rejection:
            codes.append(rejection.code)
    if not TIME_CODES.intersection(codes):
        try:
            check_epoch_open(
                report, context.genesis, params.epoch_seconds, context.first_open_epoch
            )
            count_capped_meters(
                open_shares(
                    prorate_trip(report, context.genesis, params), context.first_open_epoch
                ),
                context.epoch_meters_counted,
                params.vehicle_epoch_cap_meters,
            )
        except TripRejected as rejection:
            codes.append(rejection.code)
    try:
        check_mileage_consent(report, context.mileage_consent)
    except TripRejected as rejection:
        codes.append(rejection.code)
    return codes


TIME_CODES: Final[frozenset[str]] = frozenset(
    {EndBeforeStart.code, TripBeforeGenesis.code, TripInFuture.code, OverlapsPreviousTrip.code}
)
