"""The emission schedule of a reserve: a budget per epoch that halves every era.

Both reserves follow it (mining and activity), and so does Bitcoin, with other numbers: a
schedule is just `(pool, initial_per_epoch, era_epochs)`. The contract recomputes
`calculate_cumulative_release` with the same loop over eras, so an operator can never finalize
more than this module says.
"""

from __future__ import annotations

from dataclasses import dataclass

from milestone.rules.errors import NegativeEpoch
from milestone.rules.params import EmissionSchedule, validate_schedule


@dataclass(frozen=True, slots=True)
class Era:
    """One era of a schedule: its per-epoch budget and what it releases."""

    era: int
    per_epoch: int
    epochs: int
    released: int
    cumulative: int

    @property
    def first_epoch(self) -> int:
        """The era's first epoch."""
        return self.era * self.epochs


def calculate_epoch_budget(schedule: EmissionSchedule, epoch: int) -> int:
    """
    Pebbles the reserve may release in `epoch`.

    The budget of era k is `initial_per_epoch >> k`: halving by a right shift rounds down, so
    every era releases at most half of the one before and the remainders stay in the reserve
    forever. Once the shift reaches zero the reserve has stopped emitting.
    """
    validate_schedule(schedule)
    if epoch < 0:
        raise NegativeEpoch(f"epoch must not be negative (got {epoch})")
    return schedule.initial_per_epoch >> (epoch // schedule.era_epochs)


def calculate_cumulative_release(schedule: EmissionSchedule, epoch: int) -> int:
    """
    Pebbles released by the end of `epoch`: the budgets of epochs 0..epoch inclusive.

    Closed form, one step per era rather than per epoch: every completed era k contributes
    `(initial >> k) · era_epochs`, and the current era K contributes its budget once for each of
    its epochs up to and including `epoch`. The loop stops early once budgets reach zero, so it
    runs at most `initial.bit_length()` (< 64) times. This is the bound the contract enforces on
    cumulative mining at `finalize`.
    """
    validate_schedule(schedule)
    if epoch < 0:
        raise NegativeEpoch(f"epoch must not be negative (got {epoch})")
    current_era = epoch // schedule.era_epochs
    released = 0
    for era in range(current_era):
        per_epoch = schedule.initial_per_epoch >> era
        if per_epoch == 0:
            return released
        released += per_epoch * schedule.era_epochs
    epochs_into_era = epoch - current_era * schedule.era_epochs + 1
    return released + epochs_into_era * (schedule.initial_per_epoch >> current_era)


def calculate_exhaustion_epoch(schedule: EmissionSchedule) -> int:
    """
    The first epoch whose budget is zero: emission has ended for good.

    `initial >> k` is zero exactly when k reaches the bit length of `initial`, so the schedule
    has `initial.bit_length()` eras of positive budget.
    """
    validate_schedule(schedule)
    return schedule.initial_per_epoch.bit_length() * schedule.era_epochs


def calculate_total_release(schedule: EmissionSchedule) -> int:
    """Pebbles the schedule ever releases (always at most its pool; the rest stays unissued)."""
    return calculate_cumulative_release(schedule, calculate_exhaustion_epoch(schedule) - 1)


def describe_eras(schedule: EmissionSchedule) -> list[Era]:
    """Every era with a positive budget, in order, with what it releases."""
    validate_schedule(schedule)
    eras: list[Era] = []
    cumulative = 0
    for era in range(schedule.initial_per_epoch.bit_length()):
        per_epoch = schedule.initial_per_epoch >> era
        released = per_epoch * schedule.era_epochs
        cumulative += released
        eras.append(Era(era, per_epoch, schedule.era_epochs, released, cumulative))
    return eras
