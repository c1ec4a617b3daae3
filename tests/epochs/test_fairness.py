"""Issue 14 through the real intake and settlement: a lone night trip earns per weighted
kilometre what a rush-hour trip of the same length in the same epoch earns."""

from __future__ import annotations

from fractions import Fraction

from milestone.clock import ManualClock
from milestone.epochs.models import EpochRecord, EpochWeightRecord
from milestone.epochs.payout import settled_budget
from milestone.epochs.settle import settle
from milestone.epochs.steps import Settlement
from milestone.rules.mining import calculate_legacy_mining_budget

from .conftest import DAY, MakeFleet, close

HOUR = 3_600


def test_a_lone_night_trip_and_a_rush_hour_trip_earn_the_same_expected_stones(
    settlement: Settlement, clock: ManualClock, make_fleet: MakeFleet
) -> None:
    """The minimal preset has four rounds of six hours: round 0 (00:00-06:00) is the night.

    Car 0 drives 20 km alone at 03:00; cars 1..5 each drive 20 km at 08:00 (round 1). Each
    trip's expected stones are its round's budget times its weight over the round's weight.
    """
    fleet = make_fleet(6, behaviour_every=10**6)  # no multiplier: weight is the distance
    genesis = settlement.program.genesis
    uploads = [fleet.cars[0].drive(genesis + 3 * HOUR, HOUR // 2, 20_000)]
    uploads += [car.drive(genesis + 8 * HOUR, HOUR // 2, 20_000) for car in fleet.cars[1:]]
    for upload in sorted(uploads, key=lambda u: u.sent_at):
        clock.set(max(clock.now(), upload.sent_at))
        assert fleet._ingest([upload.envelope]) == 1
    close(settlement, clock, 1)
    settle(settlement)
    params = settlement.program.parameters
    with settlement.database.session() as session:
        row = session.get(EpochRecord, 0)
        assert row is not None
        weights: dict[int, dict[bytes, int]] = {}
        for w in session.query(EpochWeightRecord).filter_by(epoch=0):
            weights.setdefault(w.round, {})[bytes(w.address)] = w.weight
    assert set(weights) == {0, 1} and len(weights[0]) == 1 and len(weights[1]) == 5
    budget = settled_budget(params, 0, row.rollover_in, weights)
    assert row.paid == budget.total and row.rollover_out == 0  # epoch 0 paid its whole budget

    def rate(round_index: int, rounds: tuple[int, ...]) -> Fraction:
        """Expected pebbles per unit of weight of any trip in the round."""
        return Fraction(rounds[round_index], sum(weights[round_index].values()))

    night, rush = rate(0, budget.rounds), rate(1, budget.rounds)
    lone = next(iter(weights[0].values()))
    assert abs(night - rush) * lone <= 1  # the same expected stones, to a pebble
    legacy = calculate_legacy_mining_budget(params, 0, 0).rounds
    assert rate(0, legacy) > 4 * rate(1, legacy)  # the old rule paid the lone driver 5x


def test_an_epoch_without_driving_rolls_over_whole_and_the_next_pays_it(
    settlement: Settlement, clock: ManualClock, make_fleet: MakeFleet
) -> None:
    fleet = make_fleet(2, behaviour_every=10**6)
    genesis = settlement.program.genesis
    upload = fleet.cars[0].drive(genesis + DAY + 9 * HOUR, HOUR // 2, 10_000)
    clock.set(upload.sent_at)
    assert fleet._ingest([upload.envelope]) == 1
    close(settlement, clock, 2)
    settle(settlement)
    with settlement.database.session() as session:
        first, second = session.get(EpochRecord, 0), session.get(EpochRecord, 1)
        assert first is not None and second is not None
        assert (first.paid, first.rollover_out) == (0, first.scheduled)
        assert second.rollover_in == first.scheduled
        assert (second.paid, second.rollover_out) == (second.scheduled + first.scheduled, 0)
