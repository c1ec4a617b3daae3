"""Is the mining fair? The figures of issue 14, read back from the settled epochs.

`milestone demo` reports them in its `fairness` object: whether epoch 0 paid its budget, the
backlog left, how far any driven round's rate per unit of weight strays from its epoch's, and
what a weighted kilometre earned the first owners against later ones, and at night against the
day. Rates are display ratios (floats), never amounts.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import asdict, dataclass
from fractions import Fraction
from typing import Any, Final

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from milestone.epochs.models import EpochDropRecord, EpochRecord, EpochWeightRecord
from milestone.rules.mining import calculate_legacy_mining_budget
from milestone.rules.params import Parameters

COHORT_EPOCHS: Final[int] = 7
"""Each cohort's rate counts its owners' first (up to) seven epochs of driving."""
LATER_FROM: Final[int] = 7
"""The later cohort: owners who first drove in epoch 7 or after."""
NIGHT_STARTS, NIGHT_ENDS = 22 * 3_600, 6 * 3_600
"""Night is 22:00 to 06:00 of the epoch's day (UTC, as the simulator drives)."""
WEIGHT_PER_100_KM: Final[int] = 100_000
W, D = EpochWeightRecord, EpochDropRecord
PEBBLES_PER_STONE: Final[int] = 10**8


@dataclass(frozen=True)
class Fairness:
    """The `fairness` object of `milestone demo --json` (field names fixed by issue 14)."""

    first_epoch_budget_pebbles: int
    first_epoch_paid_pebbles: int
    backlog_pebbles: int
    round_rate_spread: float
    early_rate: float | None
    later_rate: float | None
    night_rate: float | None
    """Stones per 100 weighted km mined in night rounds (22:00 to 06:00)."""
    day_rate: float | None
    """The same in day rounds. Over a whole run the two differ by which days people drove at
    night (a weekday's kilometre earns more than a weekend's), not by the hour: see below."""
    night_to_day: float | None
    """What night rounds paid over what they would have earned at their own epoch's day rate,
    over the epochs with driving at both: 1.0 when a night kilometre earns a day kilometre's."""
    legacy_night_to_day: float | None
    """The same, expected under the legacy rule (a fixed 1/rounds of the scheduled budget per
    round) on the very same weights: what night driving earned before issue 14."""
    driven_rounds: int
    lone_driver_rounds: int
    """Driven rounds with a single account: they pay the day's rate too."""

    def to_json(self) -> dict[str, Any]:
        return asdict(self)


def measure_fairness(session: Session, params: Parameters) -> Fairness:
    """The fairness figures of every settled epoch."""
    epochs = {
        row.epoch: row
        for row in session.execute(
            select(EpochRecord).where(EpochRecord.paid.is_not(None)).order_by(EpochRecord.epoch)
        ).scalars()
    }
    round_weight: dict[tuple[int, int], int] = {}
    drivers: dict[tuple[int, int], int] = {}
    for epoch, round_index, weight, count in session.execute(
        select(
            EpochWeightRecord.epoch, EpochWeightRecord.round,
            func.sum(EpochWeightRecord.weight), func.count(),
        ).group_by(EpochWeightRecord.epoch, EpochWeightRecord.round)
    ):  # fmt: skip
        round_weight[epoch, round_index] = int(weight)
        drivers[epoch, round_index] = int(count)
    round_paid: dict[tuple[int, int], int] = {
        (epoch, round_index): int(paid)
        for epoch, round_index, paid in session.execute(
            select(
                EpochDropRecord.epoch, EpochDropRecord.round, func.sum(EpochDropRecord.amount)
            ).group_by(EpochDropRecord.epoch, EpochDropRecord.round)
        )
    }
    first = epochs.get(0)
    last = max(epochs) if epochs else None
    early, later = _cohort_rates(session, set(epochs))
    night, day = _night_and_day(params, round_weight, round_paid)
    legacy_paid = {
        key: calculate_legacy_mining_budget(params, key[0], 0).rounds[key[1]]
        for key in round_weight
    }
    same_epoch = _night_to_day(params, round_weight, round_paid)
    legacy_same_epoch = _night_to_day(params, round_weight, legacy_paid)
    return Fairness(
        first_epoch_budget_pebbles=0 if first is None else first.scheduled + first.rollover_in,
        first_epoch_paid_pebbles=0 if first is None else first.paid or 0,
        backlog_pebbles=0 if last is None else epochs[last].rollover_out or 0,
        round_rate_spread=_round_rate_spread(epochs, round_weight, round_paid),
        early_rate=early,
        later_rate=later,
        night_rate=night,
        day_rate=day,
        night_to_day=same_epoch,
        legacy_night_to_day=legacy_same_epoch,
        driven_rounds=sum(1 for key in round_weight if key[0] in epochs),
        lone_driver_rounds=sum(1 for key, n in drivers.items() if n == 1 and key[0] in epochs),
    )


def _round_rate_spread(
    epochs: dict[int, EpochRecord],
    round_weight: dict[tuple[int, int], int],
    round_paid: dict[tuple[int, int], int],
) -> float:
    """The largest |round rate − epoch rate| / epoch rate over driven rounds, rate = budget per
    unit of weight (a driven round pays exactly its budget)."""
    spread = Fraction(0)
    for (epoch, round_index), weight in round_weight.items():
        row = epochs.get(epoch)
        if row is None or not row.total_weight or not weight:
            continue
        epoch_rate = Fraction(row.scheduled + row.rollover_in, row.total_weight)
        if epoch_rate == 0:
            continue
        round_rate = Fraction(round_paid.get((epoch, round_index), 0), weight)
        spread = max(spread, abs(round_rate - epoch_rate) / epoch_rate)
    return float(spread)


def _cohort_rates(session: Session, settled: set[int]) -> tuple[float | None, float | None]:
    """Stones per 100 weighted km over each owner's first seven epochs of driving, for the
    owners who first drove in epoch 0 and for those who first drove in epoch 7 or later."""
    weight: dict[int, dict[int, int]] = defaultdict(dict)
    for owner_id, epoch, total in session.execute(
        select(W.owner_id, W.epoch, func.sum(W.weight)).group_by(W.owner_id, W.epoch)
    ):  # fmt: skip
        if epoch in settled:
            weight[owner_id][epoch] = int(total)
    mined: dict[tuple[int, int], int] = {
        (owner_id, epoch): int(total)
        for owner_id, epoch, total in session.execute(
            select(D.owner_id, D.epoch, func.sum(D.amount)).group_by(D.owner_id, D.epoch)
        )
    }  # fmt: skip
    cohorts = {"early": [0, 0], "later": [0, 0]}
    for owner_id, by_epoch in weight.items():
        start = min(by_epoch)
        cohort = "early" if start == 0 else "later" if start >= LATER_FROM else None
        if cohort is None:
            continue
        for epoch in range(start, start + COHORT_EPOCHS):
            cohorts[cohort][0] += mined.get((owner_id, epoch), 0)
            cohorts[cohort][1] += by_epoch.get(epoch, 0)
    return per_100km(*cohorts["early"]), per_100km(*cohorts["later"])


def _night_and_day(
    params: Parameters,
    round_weight: dict[tuple[int, int], int],
    round_paid: dict[tuple[int, int], int],
) -> tuple[float | None, float | None]:
    sums = {True: [0, 0], False: [0, 0]}
    for (epoch, round_index), weight in round_weight.items():
        night = _is_night(params, round_index)
        sums[night][0] += round_paid.get((epoch, round_index), 0)
        sums[night][1] += weight
    return per_100km(*sums[True]), per_100km(*sums[False])


def _night_to_day(
    params: Parameters,
    round_weight: dict[tuple[int, int], int],
    round_paid: dict[tuple[int, int], int],
) -> float | None:
    # epoch -> [night paid, night weight, day paid, day weight]
    sums: dict[int, list[int]] = defaultdict(lambda: [0, 0, 0, 0])
    for (epoch, round_index), weight in round_weight.items():
        offset = 0 if _is_night(params, round_index) else 2
        sums[epoch][offset] += round_paid.get((epoch, round_index), 0)
        sums[epoch][offset + 1] += weight
    paid, at_day_rate = Fraction(0), Fraction(0)
    for night_paid, night_weight, day_paid, day_weight in sums.values():
        if night_weight and day_weight:
            paid += night_paid
            at_day_rate += Fraction(night_weight * day_paid, day_weight)
    return float(paid / at_day_rate) if at_day_rate else None


def _is_night(params: Parameters, round_index: int) -> bool:
    start = round_index * params.round_seconds
    return start >= NIGHT_STARTS or start < NIGHT_ENDS


def per_100km(pebbles: int, weight: int) -> float | None:
    """Stones per 100 km (or 100 weighted km): a display ratio, None without distance."""
    if weight == 0:
        return None
    return pebbles / PEBBLES_PER_STONE / (weight / WEIGHT_PER_100_KM)
