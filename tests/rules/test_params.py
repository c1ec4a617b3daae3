"""Parameters: presets, validation with stable codes, TOML files, overrides, canonical JSON."""

from __future__ import annotations

import dataclasses
import json

import pytest
from hypothesis import given
from hypothesis import strategies as st

from milestone.rules import errors
from milestone.rules.params import (
    IM_CSOP,
    MINIMAL,
    PRESETS,
    EmissionSchedule,
    calculate_parameters_hash,
    get_preset,
    override_parameters,
    parameters_from_dict,
    parameters_to_dict,
    parameters_to_json,
    parse_override,
    parse_parameters,
    validate_parameters,
    validate_schedule,
)
from milestone.rules.units import MAX_AMOUNT, stones


@pytest.mark.parametrize("name", sorted(PRESETS))
def test_every_preset_is_valid(name: str) -> None:
    params = get_preset(name)
    validate_parameters(params)
    assert params.name == name


def test_im_csop_holds_the_design_defaults() -> None:
    params = get_preset("im-csop")
    assert params.total_supply == stones(300_000_000)
    assert params.mining == EmissionSchedule(stones(210_000_000), 7_186_858_316_221, 1_461)
    assert params.activity.pool == stones(90_000_000)
    assert params.activity.initial_per_epoch == stones(45_000_000) // 1_461
    assert (params.epoch_seconds, params.rounds_per_epoch, params.round_seconds) == (
        86_400,
        144,
        600,
    )
    assert params.drop_size == stones(1)
    assert params.vehicle_epoch_cap_meters == 1_000_000
    assert (params.behaviour_multiplier_min_bps, params.behaviour_multiplier_max_bps) == (
        10_000,
        12_000,
    )
    assert params.backing_fen == 490_000_000 * 100  # RMB 490M
    assert params.transfer_policy == "none"
    assert params.spend_lock_days == 90 and params.spend_requires_certification
    assert params.fulfilled_orders_to == "burn"


def test_minimal_is_small_and_fast() -> None:
    assert MINIMAL.total_supply < IM_CSOP.total_supply // 100_000
    assert MINIMAL.mining.era_epochs == 4
    assert MINIMAL.rounds_per_epoch == 4


def test_unknown_preset_is_refused_with_its_code() -> None:
    with pytest.raises(errors.UnknownPreset) as raised:
        get_preset("tesla")
    assert raised.value.code == "unknown_preset"
    assert "im-csop" in raised.value.message


def test_override_changes_only_the_named_parameters() -> None:
    changed = override_parameters(MINIMAL, {"mining.era_epochs": 2, "drop_size": 10})
    assert changed.mining == EmissionSchedule(
        MINIMAL.mining.pool, MINIMAL.mining.initial_per_epoch, 2
    )
    assert changed.drop_size == 10
    assert (
        dataclasses.replace(changed, mining=MINIMAL.mining, drop_size=MINIMAL.drop_size) == MINIMAL
    )


@pytest.mark.parametrize(
    ("overrides", "error", "code"),
    [
        ({"colour": "red"}, errors.UnknownParameter, "unknown_parameter"),
        ({"mining.speed": 1}, errors.UnknownParameter, "unknown_parameter"),
        ({"drop_size": 0}, errors.AmountNotPositive, "amount_not_positive"),
        ({"drop_size": -5}, errors.AmountNotPositive, "amount_not_positive"),
        ({"mining.pool": 0}, errors.AmountNotPositive, "amount_not_positive"),
        ({"mining.era_epochs": -1}, errors.AmountNotPositive, "amount_not_positive"),
        ({"spend_lock_days": -1}, errors.AmountNegative, "amount_negative"),
        ({"drop_size": 10**12}, errors.DropLargerThanRound, "drop_size_exceeds_round_budget"),
        ({"total_supply": 2**63}, errors.AmountTooLarge, "amount_too_large"),
        ({"mining.pool": 2**63, "total_supply": 2**63 + MINIMAL.activity.pool},
         errors.AmountTooLarge, "amount_too_large"),
        ({"mining.initial_per_epoch": 10**11}, errors.ScheduleExceedsPool, "schedule_exceeds_pool"),
        ({"total_supply": 1}, errors.SupplyMismatch, "supply_mismatch"),
        ({"drop_size": "1 stone"}, errors.InvalidParameter, "invalid_parameter"),
        ({"drop_size": True}, errors.InvalidParameter, "invalid_parameter"),
        ({"transfer_policy": "sometimes"}, errors.InvalidParameter, "invalid_parameter"),
        ({"fulfilled_orders_to": "void"}, errors.InvalidParameter, "invalid_parameter"),
        ({"mining": 5}, errors.InvalidParameter, "invalid_parameter"),
        ({"decimals": 19}, errors.ParameterOutOfRange, "parameter_out_of_range"),
        ({"rounds_per_epoch": 7}, errors.ParameterOutOfRange, "parameter_out_of_range"),
        ({"backing_bps": 10_001}, errors.ParameterOutOfRange, "parameter_out_of_range"),
        ({"behaviour_multiplier_min_bps": 13_000}, errors.ParameterOutOfRange,
         "parameter_out_of_range"),
    ],
)  # fmt: skip
def test_bad_overrides_are_refused(
    overrides: dict[str, object], error: type[errors.RuleError], code: str
) -> None:
    with pytest.raises(error) as raised:
        override_parameters(MINIMAL, overrides)
    assert raised.value.code == code


def test_schedule_bound_is_exactly_twice_the_first_era() -> None:
    validate_schedule(EmissionSchedule(pool=800, initial_per_epoch=100, era_epochs=4))
    with pytest.raises(errors.ScheduleExceedsPool):
        validate_schedule(EmissionSchedule(pool=799, initial_per_epoch=100, era_epochs=4))


def test_preset_file_is_read_on_top_of_a_base() -> None:
    text = """
    drop_size = 50_000_000
    transfer_policy = "free"

    [mining]
    era_epochs = 8
    initial_per_epoch = 6_250_000_000
    """
    params = parse_parameters(text, MINIMAL)
    assert params.drop_size == 50_000_000
    assert params.transfer_policy == "free"
    assert params.mining == EmissionSchedule(MINIMAL.mining.pool, 6_250_000_000, 8)
    assert params.activity == MINIMAL.activity


def test_preset_file_with_bad_toml_or_unknown_keys_is_refused() -> None:
    with pytest.raises(errors.InvalidParameter):
        parse_parameters("drop_size = = 3", MINIMAL)
    with pytest.raises(errors.UnknownParameter):
        parse_parameters("[mining]\nhalving = 2", MINIMAL)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("drop_size=5", ("drop_size", 5)),
        ("mining.pool = 1_000", ("mining.pool", 1000)),
        ("transfer_policy=free", ("transfer_policy", "free")),
        ('transfer_policy="allowlist"', ("transfer_policy", "allowlist")),
        ("spend_requires_certification=false", ("spend_requires_certification", False)),
    ],
)
def test_parse_override_reads_toml_values_or_text(text: str, expected: tuple[str, object]) -> None:
    assert parse_override(text) == expected


@pytest.mark.parametrize("text", ["drop_size", "=5", ""])
def test_parse_override_needs_key_and_value(text: str) -> None:
    with pytest.raises(errors.InvalidParameter):
        parse_override(text)


@pytest.mark.parametrize("name", sorted(PRESETS))
def test_canonical_json_round_trips(name: str) -> None:
    params = get_preset(name)
    text = parameters_to_json(params)
    assert " " not in text
    assert parameters_from_dict(json.loads(text)) == params
    assert json.loads(text) == parameters_to_dict(params)


def test_hash_identifies_the_parameter_set() -> None:
    assert calculate_parameters_hash(MINIMAL) == calculate_parameters_hash(get_preset("minimal"))
    assert calculate_parameters_hash(MINIMAL) != calculate_parameters_hash(IM_CSOP)
    assert len(calculate_parameters_hash(IM_CSOP)) == 32


def test_from_dict_needs_every_parameter() -> None:
    data = parameters_to_dict(MINIMAL)
    del data["drop_size"]
    with pytest.raises(errors.InvalidParameter) as raised:
        parameters_from_dict(data)
    assert "drop_size" in raised.value.message


@given(
    era_epochs=st.integers(1, 10_000),
    pool=st.integers(1, MAX_AMOUNT),
    initial=st.integers(1, MAX_AMOUNT),
)
def test_a_valid_schedule_never_promises_more_than_its_pool(
    era_epochs: int, pool: int, initial: int
) -> None:
    schedule = EmissionSchedule(pool, initial, era_epochs)
    try:
        validate_schedule(schedule)
    except errors.ScheduleExceedsPool:
        assert 2 * initial * era_epochs > pool
    else:
        # The geometric series bound: sum over eras of (initial >> k) * era_epochs < pool.
        assert sum((initial >> k) * era_epochs for k in range(initial.bit_length())) <= pool


def test_parameters_written_before_the_dividend_mode_keep_their_hash() -> None:
    """A program created before `dividend_mode` existed reads back per circulating stone, and
    its canonical JSON (so the parameters hash committed on-chain) is unchanged."""
    old = parameters_to_dict(get_preset("minimal"))
    del old["dividend_mode"]
    assert "dividend_ceiling_fen" not in old  # 0, its legacy value: not written
    text = json.dumps(old, sort_keys=True, separators=(",", ":"))
    read = parameters_from_dict(old)
    assert (read.dividend_mode, read.dividend_ceiling_fen) == ("per_circulating", 0)
    assert parameters_to_json(read) == text
    assert parameters_to_dict(get_preset("im-csop"))["dividend_mode"] == "per_stone"


def test_an_unknown_dividend_mode_or_a_negative_ceiling_is_refused() -> None:
    with pytest.raises(errors.InvalidParameter):
        override_parameters(get_preset("minimal"), {"dividend_mode": "per_holder"})
    with pytest.raises(errors.AmountNegative):
        override_parameters(get_preset("minimal"), {"dividend_ceiling_fen": -1})
    ceiling = override_parameters(get_preset("minimal"), {"dividend_ceiling_fen": 5})
    assert ceiling.dividend_ceiling == 5
