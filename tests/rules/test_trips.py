"""The pure trip checks: each check positive beside negative, and the invariants as properties."""

from __future__ import annotations

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from milestone.rules.params import get_preset
from milestone.rules.reports import TripReport
from milestone.rules.time import RoundShare
from milestone.rules.trips import (
    ConsentPeriod,
    EpochCapReached,
    Ownership,
    TripContext,
    TripRejected,
    VehicleCursor,
    check_distance,
    check_odometer,
    check_speed,
    check_times,
    consent_covers,
    count_capped_meters,
    find_violations,
    first_open_epoch,
    owner_during,
    prorate_trip,
    validate_trip,
)

GENESIS = 1_767_225_600
PARAMS = get_preset("im-csop")
HOUR = 3_600


def report(**changes: object) -> TripReport:
    """A 30-minute, 25 km trip starting 08:00 on day 1, continuing `context()`'s cursor."""
    base = TripReport(
        vehicle_id=1,
        public_key=bytes(32),
        sequence=2,
        trip_id=b"\x07" * 16,
        started_at=GENESIS + 8 * HOUR,
        ended_at=GENESIS + 8 * HOUR + 1_800,
        odometer_start_m=100_000,
        odometer_end_m=125_000,
        distance_m=25_000,
        behaviour=None,
        firmware="1.0.0",
    )
    return base._replace(**changes)  # type: ignore[arg-type]


def context(**changes: object) -> TripContext:
    base = TripContext(
        genesis=GENESIS,
        previous=VehicleCursor(sequence=1, ended_at=GENESIS + 7 * HOUR, odometer_end_m=100_000),
        trip_id_seen=False,
        epoch_meters_counted={},
        mileage_consent=[ConsentPeriod(GENESIS, None)],
    )
    return base._replace(**changes)  # type: ignore[arg-type]


NOW = GENESIS + 9 * HOUR


def test_an_honest_trip_passes_and_counts_every_meter() -> None:
    shares = validate_trip(report(), context(), PARAMS, NOW)
    assert sum(share.meters for share in shares) == 25_000
    assert {share.epoch for share in shares} == {0}
    assert find_violations(report(), context(), PARAMS, NOW) == []


@pytest.mark.parametrize(
    ("trip", "situation", "code"),
    [
        (report(sequence=1), context(), "replayed_sequence"),
        (report(sequence=0 + 1), context(previous=VehicleCursor(5, GENESIS, 100_000)),
         "replayed_sequence"),
        (report(), context(trip_id_seen=True), "duplicate_trip"),
        (report(ended_at=GENESIS + 8 * HOUR - 1, distance_m=0, odometer_end_m=100_000),
         context(), "end_before_start"),
        (report(started_at=GENESIS - 1_800, ended_at=GENESIS),
         context(previous=None, mileage_consent=[ConsentPeriod(GENESIS - HOUR, None)]),
         "trip_before_genesis"),
        (report(started_at=NOW - 1_500, ended_at=NOW + PARAMS.clock_skew_seconds + 1), context(),
         "trip_in_future"),
        (report(started_at=GENESIS + 7 * HOUR - PARAMS.clock_skew_seconds - 1,
                ended_at=GENESIS + 8 * HOUR),
         context(), "overlaps_previous_trip"),
        (report(odometer_end_m=99_950, distance_m=0), context(), "odometer_backwards"),
        (report(odometer_start_m=98_999, odometer_end_m=123_999), context(), "odometer_overlap"),
        (report(odometer_start_m=101_001, odometer_end_m=126_001), context(), "odometer_gap"),
        (report(distance_m=26_000), context(), "distance_mismatch"),
        (report(ended_at=GENESIS + 8 * HOUR + 300), context(), "over_speed"),
        (report(), context(epoch_meters_counted={0: PARAMS.vehicle_epoch_cap_meters}),
         "epoch_cap_reached"),
        (report(), context(mileage_consent=[]), "no_mileage_consent"),
    ],
)
def test_each_check_refuses_its_case_and_only_its_case(
    trip: TripReport, situation: TripContext, code: str
) -> None:
    with pytest.raises(TripRejected) as refused:
        validate_trip(trip, situation, PARAMS, NOW)
    assert refused.value.code == code
    assert find_violations(trip, situation, PARAMS, NOW) == [code]


def test_the_first_failing_check_names_the_rejection() -> None:
    trip = report(sequence=1, distance_m=26_000)
    situation = context(mileage_consent=[])
    with pytest.raises(TripRejected) as refused:
        validate_trip(trip, situation, PARAMS, NOW)
    assert refused.value.code == "replayed_sequence"
    assert find_violations(trip, situation, PARAMS, NOW) == [
        "replayed_sequence", "distance_mismatch", "no_mileage_consent",
    ]


def test_the_tolerances_are_inclusive() -> None:
    skew = PARAMS.clock_skew_seconds
    check_times(report(started_at=NOW, ended_at=NOW + skew), None, GENESIS, NOW, skew)
    gap = PARAMS.odometer_gap_tolerance_meters
    previous = VehicleCursor(1, GENESIS, 100_000)
    check_odometer(report(odometer_start_m=100_000 + gap, odometer_end_m=125_000 + gap), previous,
                   gap)
    check_odometer(report(odometer_start_m=100_000 - gap, odometer_end_m=125_000), previous, gap)
    # 3% of 25,000 m is 750 m, more than the 100 m floor.
    check_distance(report(distance_m=25_750), 100, 300)
    with pytest.raises(TripRejected):
        check_distance(report(distance_m=25_751), 100, 300)
    # Short trips get the absolute floor: 1,000 m on the odometer, 1,100 m measured.
    check_distance(report(odometer_end_m=101_000, distance_m=1_100), 100, 300)
    # 200 km/h for 1,800 s is exactly 100 km.
    check_speed(report(distance_m=100_000), 200)
    with pytest.raises(TripRejected):
        check_speed(report(distance_m=100_001), 200)


def test_a_trip_of_no_duration_may_not_cover_distance() -> None:
    check_speed(report(ended_at=GENESIS + 8 * HOUR, distance_m=0), 200)
    with pytest.raises(TripRejected):
        check_speed(report(ended_at=GENESIS + 8 * HOUR, distance_m=1), 200)


# Consent coverage ----------------------------------------------------------------------------

instants = st.integers(min_value=0, max_value=1_000)


@given(instants, instants, instants, st.one_of(st.none(), instants))
def test_a_single_grant_covers_exactly_the_trips_inside_it(
    start: int, length: int, granted: int, revoked: int | None
) -> None:
    end = start + length
    assume(revoked is None or revoked >= granted)
    covered = consent_covers([ConsentPeriod(granted, revoked)], start, end)
    inside = granted <= start and (revoked is None or (end <= revoked and start < revoked))
    assert covered == inside


@given(instants, instants, instants, instants, instants)
def test_a_trip_across_a_gap_between_grants_is_not_covered(
    granted: int, first_length: int, gap: int, second_length: int, offset: int
) -> None:
    revoked = granted + first_length
    regranted = revoked + gap + 1  # at least one second without consent
    periods = [ConsentPeriod(granted, revoked), ConsentPeriod(regranted, regranted + second_length)]
    # Any trip overlapping the uncovered second [revoked, revoked + 1) is not covered.
    start = max(granted, revoked - offset)
    assert not consent_covers(periods, start, revoked + 1)


def test_back_to_back_grants_cover_a_trip_across_the_seam() -> None:
    periods = [ConsentPeriod(200, None), ConsentPeriod(100, 200)]
    assert consent_covers(periods, 150, 250)
    assert not consent_covers(periods[1:], 150, 250)


def test_a_trip_of_no_duration_needs_its_instant_inside_a_grant() -> None:
    assert consent_covers([ConsentPeriod(100, 200)], 100, 100)
    assert not consent_covers([ConsentPeriod(100, 200)], 200, 200)


# Ownership -----------------------------------------------------------------------------------


def test_the_owner_at_the_time_of_driving_gets_the_trip() -> None:
    bindings = [Ownership(1, 0, 100), Ownership(2, 100, None)]
    assert owner_during(bindings, 10, 100) == 1
    assert owner_during(bindings, 100, 150) == 2
    assert owner_during(bindings, 90, 110) is None  # across the transfer: nobody's
    assert owner_during([Ownership(1, 50, None)], 10, 60) is None  # before the first owner
    assert owner_during([], 10, 60) is None


# The cap ---------------------------------------------------------------------------------------

shares_strategy = st.lists(
    st.builds(RoundShare, st.integers(0, 3), st.integers(0, 143), st.integers(0, 400_000)),
    max_size=12,
)


@given(shares_strategy, st.dictionaries(st.integers(0, 3), st.integers(0, 1_200_000)))
def test_the_cap_is_never_exceeded_and_counts_the_first_meters(
    shares: list[RoundShare], used: dict[int, int]
) -> None:
    cap = 1_000_000
    try:
        counted = count_capped_meters(shares, used, cap)
    except EpochCapReached:
        assert all(used.get(share.epoch, 0) >= cap for share in shares if share.meters)
        assert any(share.meters for share in shares)
        return
    for epoch in {share.epoch for share in shares}:
        total = used.get(epoch, 0) + sum(s.meters for s in counted if s.epoch == epoch)
        assert total <= max(cap, used.get(epoch, 0))
        room = max(cap - used.get(epoch, 0), 0)
        offered = sum(s.meters for s in shares if s.epoch == epoch)
        assert sum(s.meters for s in counted if s.epoch == epoch) == min(room, offered)
    assert all(share.meters > 0 for share in counted)


DAY = 86_400
GRACE = 3_600
CUTOFF_0 = GENESIS + DAY + GRACE  # epoch 0's inputs cutoff: received by then, it counts


def test_epochs_stay_open_until_their_cutoff_inclusive() -> None:
    assert first_open_epoch(GENESIS, GENESIS, DAY, GRACE) == 0
    assert first_open_epoch(CUTOFF_0, GENESIS, DAY, GRACE) == 0
    assert first_open_epoch(CUTOFF_0 + 1, GENESIS, DAY, GRACE) == 1
    assert first_open_epoch(CUTOFF_0 + DAY, GENESIS, DAY, GRACE) == 1
    assert first_open_epoch(CUTOFF_0 + DAY + 1, GENESIS, DAY, GRACE) == 2
    assert first_open_epoch(GENESIS + DAY + 1, GENESIS, DAY, 0) == 1


def test_a_trip_of_a_closed_epoch_is_refused_and_one_of_an_open_epoch_counts() -> None:
    late = context(first_open_epoch=1)
    assert validate_trip(report(), context(first_open_epoch=0), PARAMS, CUTOFF_0)
    with pytest.raises(TripRejected) as refused:
        validate_trip(report(), late, PARAMS, CUTOFF_0 + 1)
    assert refused.value.code == "epoch_closed"
    assert find_violations(report(), late, PARAMS, CUTOFF_0 + 1) == ["epoch_closed"]


def test_a_trip_ending_at_midnight_belongs_to_the_epoch_before() -> None:
    # The span is [start, end): a trip ending at 00:00 drove its last second in epoch 0.
    at_midnight = report(started_at=GENESIS + DAY - 1_800, ended_at=GENESIS + DAY)
    with pytest.raises(TripRejected, match="epoch 0"):
        validate_trip(at_midnight, context(first_open_epoch=1), PARAMS, CUTOFF_0 + 1)
    instant = report(started_at=GENESIS + DAY, ended_at=GENESIS + DAY, distance_m=0,
                     odometer_end_m=100_000)
    assert validate_trip(instant, context(first_open_epoch=1), PARAMS, CUTOFF_0 + 1) == []


def test_a_trip_across_midnight_counts_only_in_the_open_epoch() -> None:
    across = report(started_at=GENESIS + DAY - 900, ended_at=GENESIS + DAY + 900)
    whole = validate_trip(across, context(), PARAMS, CUTOFF_0)
    assert {share.epoch for share in whole} == {0, 1}
    counted = validate_trip(across, context(first_open_epoch=1), PARAMS, CUTOFF_0 + 1)
    assert counted == [share for share in whole if share.epoch == 1]
    assert sum(share.meters for share in counted) < 25_000


@given(
    start=st.integers(min_value=0, max_value=4 * DAY),
    duration=st.integers(min_value=0, max_value=6 * HOUR),
    delay=st.integers(min_value=0, max_value=3 * DAY),
    grace=st.integers(min_value=0, max_value=2 * DAY),
    frozen_through=st.integers(min_value=-1, max_value=5),
)
def test_no_accepted_meter_is_left_out_of_its_epochs_inputs(
    start: int, duration: int, delay: int, grace: int, frozen_through: int
) -> None:
    # Received at `now`, a share of epoch e counts if now <= end(e) + grace and e is not frozen.
    started_at = GENESIS + start
    ended_at = started_at + duration
    trip = report(started_at=started_at, ended_at=ended_at, odometer_end_m=100_000 + duration,
                  distance_m=duration)
    now = ended_at + delay
    first_open = max(first_open_epoch(now, GENESIS, DAY, grace), frozen_through + 1)
    situation = context(previous=None, first_open_epoch=first_open)
    try:
        shares = validate_trip(trip, situation, PARAMS, now)
    except TripRejected as rejection:
        assert rejection.code == "epoch_closed"
        last_epoch = (max(started_at, ended_at - 1) - GENESIS) // DAY
        assert now > GENESIS + (last_epoch + 1) * DAY + grace or last_epoch <= frozen_through
        return
    for share in shares:
        assert now <= GENESIS + (share.epoch + 1) * DAY + grace
        assert share.epoch > frozen_through
    # Only the meters of closed epochs are dropped, nothing else.
    offered = prorate_trip(trip, GENESIS, PARAMS)
    closed = sum(share.meters for share in offered if share.epoch < first_open)
    assert sum(share.meters for share in shares) == duration - closed
