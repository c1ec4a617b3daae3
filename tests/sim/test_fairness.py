"""The demo's fairness figures, on rounds made up to show each one."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

from milestone.rules.params import get_preset
from milestone.sim.fairness import _night_to_day, _round_rate_spread

IM = get_preset("im-csop")  # 144 rounds of 10 minutes: round 18 is 03:00, round 48 is 08:00


def epoch(scheduled: int, total_weight: int) -> Any:
    return SimpleNamespace(scheduled=scheduled, rollover_in=0, total_weight=total_weight)


def test_rounds_paid_in_proportion_to_weight_have_no_spread() -> None:
    weights = {(0, 18): 10, (0, 48): 30}
    assert _round_rate_spread({0: epoch(400, 40)}, weights, {(0, 18): 100, (0, 48): 300}) == 0
    # A lone driver paid half the day: twice the day's rate, a spread of 1.0.
    spread = _round_rate_spread({0: epoch(400, 40)}, weights, {(0, 18): 200, (0, 48): 200})
    assert spread == 1.0


def test_night_pay_against_the_same_epochs_day_rate() -> None:
    weights = {(0, 18): 10, (0, 48): 30, (1, 48): 5}  # epoch 1 has no night: left out
    assert _night_to_day(IM, weights, {(0, 18): 100, (0, 48): 300, (1, 48): 9}) == 1.0
    assert _night_to_day(IM, weights, {(0, 18): 300, (0, 48): 300, (1, 48): 9}) == 3.0
    assert _night_to_day(IM, {(0, 48): 30}, {(0, 48): 300}) is None
