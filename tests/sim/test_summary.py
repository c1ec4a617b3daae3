"""The summary's week-by-week rate: whole weeks only, each its stones over its kilometres; and
the summary reads through the services' queries, never the tables."""

from __future__ import annotations

import ast
from pathlib import Path

from hypothesis import given
from hypothesis import strategies as st

import milestone.sim.summary
from milestone.sim.summary import EpochLine, stones_per_100km_by_week

STONE = 10**8


def line(epoch: int, paid: int, meters: int) -> EpochLine:
    return EpochLine(epoch=epoch, scheduled=paid, paid=paid, rollover_out=0, cum_mined=0,
                     cum_mining_schedule=0, counted_meters=meters, owners_paid=1)


def test_a_week_pays_its_stones_over_its_kilometres() -> None:
    first = [line(e, 10 * STONE, 100_000) for e in range(7)]  # 10 stones per 100 km
    second = [line(7 + e, 10 * STONE, 200_000) for e in range(7)]  # twice the driving
    assert stones_per_100km_by_week(first + second) == [10.0, 5.0]


def test_only_whole_weeks_count_and_a_week_without_driving_has_no_rate() -> None:
    quiet = [line(e, 0, 0) for e in range(7)]
    assert stones_per_100km_by_week([*quiet, line(7, STONE, 1_000)]) == [None]
    assert stones_per_100km_by_week([line(e, STONE, 1_000) for e in range(6)]) == []


@given(st.lists(st.tuples(st.integers(0, 10**15), st.integers(1, 10**7)), min_size=7,
                max_size=30))
def test_the_weeks_rates_are_the_weekly_totals(epochs: list[tuple[int, int]]) -> None:
    lines = [line(e, paid, meters) for e, (paid, meters) in enumerate(epochs)]
    rates = stones_per_100km_by_week(lines)
    assert len(rates) == len(lines) // 7
    for week, rate in enumerate(rates):
        chunk = lines[7 * week : 7 * week + 7]
        paid, meters = sum(x.paid for x in chunk), sum(x.counted_meters for x in chunk)
        assert rate == paid / STONE / (meters / 100_000)


def test_the_summary_asks_the_services_and_reads_no_table() -> None:
    tree = ast.parse(Path(milestone.sim.summary.__file__).read_text())
    imported = [node.module or "" for node in ast.walk(tree) if isinstance(node, ast.ImportFrom)]
    assert imported, "the summary imports its queries"
    assert not [module for module in imported if module.endswith(".models")]
    assert "sqlalchemy" not in imported  # Session alone comes from sqlalchemy.orm
