"""The emission schedule: budgets, halving, cumulative release, exhaustion, eras."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from milestone.rules import errors
from milestone.rules.params import IM_CSOP, MINIMAL, EmissionSchedule
from milestone.rules.schedule import (
    Era,
    calculate_cumulative_release,
    calculate_epoch_budget,
    calculate_exhaustion_epoch,
    calculate_total_release,
    describe_eras,
)
from milestone.rules.units import MAX_AMOUNT, stones

BITCOIN = EmissionSchedule(
    pool=stones(21_000_000), initial_per_epoch=stones(50), era_epochs=210_000
)


@st.composite
def schedules(draw: st.DrawFn) -> EmissionSchedule:
    era_epochs = draw(st.integers(1, 50))
    initial = draw(st.integers(1, 10**12))
    slack = draw(st.integers(0, 10**6))
    return EmissionSchedule(2 * initial * era_epochs + slack, initial, era_epochs)


def test_bitcoin_total_supply_comes_out_exactly() -> None:
    assert calculate_total_release(BITCOIN) == 2_099_999_997_690_000
    assert len(describe_eras(BITCOIN)) == 33
    assert calculate_exhaustion_epoch(BITCOIN) == 33 * 210_000


def test_im_csop_mining_schedule() -> None:
    schedule = IM_CSOP.mining
    eras = describe_eras(schedule)
    assert eras[0] == Era(0, 7_186_858_316_221, 1_461, 7_186_858_316_221 * 1_461, eras[0].released)
    assert len(eras) == 43
    total = calculate_total_release(schedule)
    assert stones(209_999_999) < total < stones(210_000_000) == schedule.pool
    assert total == eras[-1].cumulative
    # The first era releases (just under) half the reserve, as Bitcoin's does.
    assert schedule.pool // 2 - 1_461 < eras[0].released <= schedule.pool // 2


def test_im_csop_activity_schedule_releases_45m_in_the_first_era() -> None:
    first = describe_eras(IM_CSOP.activity)[0]
    assert stones(45_000_000) - 1_461 < first.released <= stones(45_000_000)


def test_budget_halves_at_each_era_boundary() -> None:
    schedule = MINIMAL.mining
    assert calculate_epoch_budget(schedule, 0) == schedule.initial_per_epoch
    assert calculate_epoch_budget(schedule, 3) == schedule.initial_per_epoch
    assert calculate_epoch_budget(schedule, 4) == schedule.initial_per_epoch >> 1
    assert calculate_epoch_budget(schedule, 8) == schedule.initial_per_epoch >> 2


def test_no_emission_after_exhaustion() -> None:
    schedule = MINIMAL.mining
    end = calculate_exhaustion_epoch(schedule)
    assert calculate_epoch_budget(schedule, end - 1) == 1
    assert calculate_epoch_budget(schedule, end) == 0
    assert calculate_cumulative_release(schedule, end + 10**9) == calculate_total_release(schedule)


def test_negative_epochs_are_refused() -> None:
    with pytest.raises(errors.NegativeEpoch) as raised:
        calculate_epoch_budget(MINIMAL.mining, -1)
    assert raised.value.code == "negative_epoch"
    with pytest.raises(errors.NegativeEpoch):
        calculate_cumulative_release(MINIMAL.mining, -1)


def test_an_invalid_schedule_is_refused() -> None:
    with pytest.raises(errors.ScheduleExceedsPool):
        calculate_cumulative_release(EmissionSchedule(10, 10, 10), 0)
    with pytest.raises(errors.AmountNotPositive):
        describe_eras(EmissionSchedule(10, 1, 0))


@settings(deadline=None)  # wall-clock limits flake on a shared 2-core machine
@given(schedules(), st.integers(0, 3_000))
def test_cumulative_release_is_the_sum_of_budgets(schedule: EmissionSchedule, epoch: int) -> None:
    expected = sum(calculate_epoch_budget(schedule, e) for e in range(epoch + 1))
    assert calculate_cumulative_release(schedule, epoch) == expected


@given(schedules(), st.integers(0, 10**7))
def test_cumulative_release_never_exceeds_the_pool(schedule: EmissionSchedule, epoch: int) -> None:
    assert calculate_cumulative_release(schedule, epoch) <= schedule.pool
    assert calculate_total_release(schedule) <= schedule.pool


@given(schedules(), st.integers(0, 10**6))
def test_halving_every_era(schedule: EmissionSchedule, epoch: int) -> None:
    budget = calculate_epoch_budget(schedule, epoch)
    assert calculate_epoch_budget(schedule, epoch + schedule.era_epochs) == budget >> 1


@given(schedules(), st.integers(1, 10**6))
def test_release_grows_by_each_budget(schedule: EmissionSchedule, epoch: int) -> None:
    step = calculate_cumulative_release(schedule, epoch) - calculate_cumulative_release(
        schedule, epoch - 1
    )
    assert step == calculate_epoch_budget(schedule, epoch)


@given(schedules())
def test_eras_add_up(schedule: EmissionSchedule) -> None:
    eras = describe_eras(schedule)
    assert len(eras) * schedule.era_epochs == calculate_exhaustion_epoch(schedule)
    assert sum(era.released for era in eras) == calculate_total_release(schedule)
    for era in eras:
        end = era.first_epoch + era.epochs - 1
        assert era.cumulative == calculate_cumulative_release(schedule, end)
        assert era.per_epoch > 0


@given(st.integers(1, 2**40), st.integers(1, 2**20), st.integers(0, MAX_AMOUNT))
def test_any_64_bit_schedule_is_bounded(initial: int, era_epochs: int, epoch: int) -> None:
    pool = 2 * initial * era_epochs
    if pool > MAX_AMOUNT:
        return
    assert calculate_cumulative_release(EmissionSchedule(pool, initial, era_epochs), epoch) <= pool
