"""The emission schedule as a chart draws it: cumulative releases of both reserves by epoch."""

from __future__ import annotations

from dataclasses import dataclass

from milestone.rules.params import Parameters
from milestone.rules.schedule import calculate_cumulative_release

MAX_POINTS = 400


@dataclass(frozen=True)
class SchedulePoint:
    epoch: int
    mining: int
    """Pebbles the mining reserve may have released by the end of `epoch`."""
    activity: int


def sample_schedule(
    parameters: Parameters, until: int, points: int = MAX_POINTS
) -> list[SchedulePoint]:
    """Cumulative releases at epochs 0 .. `until`: every epoch, or `points` evenly spaced ones
    (always including both ends) when the range is longer."""
    until = max(until, 0)
    step = max(1, -(-until // max(points - 1, 1)))  # rounded up: never more than `points`
    epochs = sorted({*range(0, until + 1, step), until})
    return [
        SchedulePoint(
            epoch,
            calculate_cumulative_release(parameters.mining, epoch),
            calculate_cumulative_release(parameters.activity, epoch),
        )
        for epoch in epochs
    ]
