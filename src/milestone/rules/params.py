"""Program parameters: every number of a CSOP program, its presets, and their validation.

A program is fully described by one `Parameters` value. Presets name complete parameter sets
(`im-csop` is IM Motors' plan as DESIGN.md section 2 describes it; `minimal` shrinks supply and
eras so tests across several eras run in seconds), a TOML file or single `dotted.key=value`
overrides adjust one, and `validate_parameters` refuses any set the rules cannot honour. Every
amount is an integer number of pebbles; every rate is in basis points (1/10,000).
"""

from __future__ import annotations

import dataclasses
import json
import tomllib
import typing
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Final

from milestone.rules.errors import (
    AmountNegative,
    AmountNotPositive,
    AmountTooLarge,
    DropLargerThanRound,
    InvalidParameter,
    ParameterOutOfRange,
    ScheduleExceedsPool,
    SupplyMismatch,
    UnknownParameter,
    UnknownPreset,
)
from milestone.rules.hashing import keccak256
from milestone.rules.units import MAX_AMOUNT, PEBBLES_PER_STONE

BASIS_POINTS: Final[int] = 10_000
"""Rates are integer basis points: 10,000 bps = 1.00."""

TRANSFER_POLICIES: Final[tuple[str, ...]] = ("none", "allowlist", "free")
"""Who may move stones between owners: nobody (IM binds them), listed pairs, or anyone."""

FULFILMENT_DESTINATIONS: Final[tuple[str, ...]] = ("burn", "treasury")
"""Where the stones of a fulfilled order go."""

DIVIDEND_MODES: Final[tuple[str, ...]] = ("per_stone", "per_circulating")
"""How a declared dividend is shared: each of the supply's stones stands for its share of the
stake (holders get the circulating stones' part, the issuer the rest), or the whole amount goes
over the circulating stones (the first programs' rule)."""

MAX_DECIMALS: Final[int] = 18
"""Like ERC-20 tokens, at most 18 decimals; more would not fit amounts in 64 bits anyway."""


@dataclass(frozen=True, slots=True)
class EmissionSchedule:
    """How a reserve is released: `initial_per_epoch` pebbles an epoch, halved every era."""

    pool: int
    initial_per_epoch: int
    era_epochs: int


@dataclass(frozen=True, slots=True)
class Parameters:
    """Every parameter of a program; amounts in pebbles, rates in basis points, times in seconds."""

    name: str
    decimals: int
    total_supply: int
    mining: EmissionSchedule
    activity: EmissionSchedule
    # time
    epoch_seconds: int
    rounds_per_epoch: int
    # mining
    drop_size: int
    vehicle_epoch_cap_meters: int
    behaviour_multiplier_min_bps: int
    behaviour_multiplier_max_bps: int
    # backing metadata: backing = founding_round_fen * backing_bps // 10,000
    founding_round_fen: int
    backing_bps: int
    # telemetry tolerances
    clock_skew_seconds: int
    max_average_speed_kmh: int
    odometer_gap_tolerance_meters: int
    distance_odometer_tolerance_meters: int
    distance_odometer_tolerance_bps: int
    # activities
    checkin_base_reward: int
    checkin_streak_bonus: int
    checkin_streak_cap: int
    referral_referrer_reward: int
    referral_buyer_reward: int
    referral_yearly_cap: int
    referral_vesting_days: int
    # spending
    transfer_policy: str
    spend_lock_days: int
    spend_requires_certification: bool
    fulfilled_orders_to: str
    # attestation
    attestor_threshold: int
    # dividends (added after the first release: see LEGACY_VALUES)
    dividend_mode: str = "per_stone"
    dividend_ceiling_fen: int = 0
    """The largest amount one declaration may carry, in fen; 0 means the stake's backing."""

    @property
    def dividend_ceiling(self) -> int:
        """The largest declaration in fen: the configured ceiling, else the stake's backing."""
        return self.dividend_ceiling_fen or self.backing_fen

    @property
    def round_seconds(self) -> int:
        """Length of one drop round (exact: validation requires it to divide the epoch)."""
        return self.epoch_seconds // self.rounds_per_epoch

    @property
    def backing_fen(self) -> int:
        """The equity backing in CNY fen, rounded down (RMB 490M for IM)."""
        return self.founding_round_fen * self.backing_bps // BASIS_POINTS


def _halving_schedule(pool: int, era_epochs: int) -> EmissionSchedule:
    # The first era releases half the pool, as Bitcoin's does; the division rounds down, so the
    # geometric sum of all eras stays below the pool.
    return EmissionSchedule(pool, pool // 2 // era_epochs, era_epochs)


IM_CSOP: Final[Parameters] = Parameters(
    name="im-csop",
    decimals=8,
    total_supply=300_000_000 * PEBBLES_PER_STONE,
    mining=_halving_schedule(210_000_000 * PEBBLES_PER_STONE, 1_461),
    activity=_halving_schedule(90_000_000 * PEBBLES_PER_STONE, 1_461),
    epoch_seconds=86_400,
    rounds_per_epoch=144,
    drop_size=PEBBLES_PER_STONE,
    vehicle_epoch_cap_meters=1_000_000,
    behaviour_multiplier_min_bps=10_000,
    behaviour_multiplier_max_bps=12_000,
    founding_round_fen=10_000_000_000 * 100,
    backing_bps=490,
    clock_skew_seconds=300,
    max_average_speed_kmh=200,
    odometer_gap_tolerance_meters=1_000,
    distance_odometer_tolerance_meters=100,
    distance_odometer_tolerance_bps=300,
    checkin_base_reward=PEBBLES_PER_STONE // 10,
    checkin_streak_bonus=PEBBLES_PER_STONE // 100,
    checkin_streak_cap=7,
    referral_referrer_reward=100 * PEBBLES_PER_STONE,
    referral_buyer_reward=50 * PEBBLES_PER_STONE,
    referral_yearly_cap=20,
    referral_vesting_days=0,
    transfer_policy="none",
    spend_lock_days=90,
    spend_requires_certification=True,
    fulfilled_orders_to="burn",
    attestor_threshold=1,
)
"""IM Motors' plan: 300M stones, 70% mined by driving, 30% through activities, 4-year eras."""

MINIMAL: Final[Parameters] = dataclasses.replace(
    IM_CSOP,
    name="minimal",
    total_supply=1_500 * PEBBLES_PER_STONE,
    mining=_halving_schedule(1_000 * PEBBLES_PER_STONE, 4),
    activity=_halving_schedule(500 * PEBBLES_PER_STONE, 4),
    rounds_per_epoch=4,
    vehicle_epoch_cap_meters=100_000,
    checkin_base_reward=PEBBLES_PER_STONE,
    checkin_streak_bonus=PEBBLES_PER_STONE // 10,
    referral_referrer_reward=10 * PEBBLES_PER_STONE,
    referral_buyer_reward=5 * PEBBLES_PER_STONE,
    referral_yearly_cap=3,
)
"""For tests: 1,500 stones, 4-epoch eras, 4 rounds of six hours; policies as in `im-csop`."""

PRESETS: Final[Mapping[str, Parameters]] = {p.name: p for p in (IM_CSOP, MINIMAL)}


def get_preset(name: str) -> Parameters:
    """The preset called `name`."""
    if name not in PRESETS:
        known = ", ".join(sorted(PRESETS))
        raise UnknownPreset(f"unknown preset {name!r} (known: {known})")
    return PRESETS[name]


def validate_schedule(schedule: EmissionSchedule, label: str = "schedule") -> None:
    """
    Refuse a schedule that could release more than its pool.

    Epoch budgets are `initial >> k` in era k, so everything ever released is at most
    `initial · era_epochs · (1 + 1/2 + 1/4 + …) < 2 · initial · era_epochs`. Requiring that
    bound to fit the pool proves, once, that no epoch of any era can overdraw the reserve; the
    contract relies on the same inequality.
    """
    _require_positive(f"{label}.pool", schedule.pool)
    _require_positive(f"{label}.initial_per_epoch", schedule.initial_per_epoch)
    _require_positive(f"{label}.era_epochs", schedule.era_epochs)
    _require_fits(f"{label}.pool", schedule.pool)
    if 2 * schedule.initial_per_epoch * schedule.era_epochs > schedule.pool:
        raise ScheduleExceedsPool(
            f"{label}: 2 × initial_per_epoch × era_epochs = "
            f"{2 * schedule.initial_per_epoch * schedule.era_epochs} exceeds the pool "
            f"{schedule.pool}; lower initial_per_epoch to at most "
            f"{schedule.pool // (2 * schedule.era_epochs)}"
        )


def validate_parameters(params: Parameters) -> None:
    """
    Refuse a parameter set the rules cannot honour.

    Amounts must be positive and fit 64 bits (SQL BIGINT and the contract's counters); the
    reserves must add up to the supply, since nothing else ever creates stones; a round must be
    able to hold at least one full drop in the first era (later eras shrink below a drop and then
    pay one smaller drop, which is fine); the epoch must split into whole-second rounds.
    """
    _check_types(params)
    if not 0 <= params.decimals <= MAX_DECIMALS:
        raise ParameterOutOfRange(f"decimals must be within 0..{MAX_DECIMALS}")
    _require_positive("total_supply", params.total_supply)
    _require_fits("total_supply", params.total_supply)
    validate_schedule(params.mining, "mining")
    validate_schedule(params.activity, "activity")
    if params.mining.pool + params.activity.pool != params.total_supply:
        raise SupplyMismatch(
            f"mining.pool + activity.pool = {params.mining.pool + params.activity.pool} "
            f"must equal total_supply = {params.total_supply}"
        )
    for name in _POSITIVE_FIELDS:
        _require_positive(name, getattr(params, name))
    for name in _NON_NEGATIVE_FIELDS:
        if getattr(params, name) < 0:
            raise AmountNegative(f"{name} must not be negative (got {getattr(params, name)})")
    for name in _POSITIVE_FIELDS + _NON_NEGATIVE_FIELDS:
        _require_fits(name, getattr(params, name))
    if params.epoch_seconds % params.rounds_per_epoch != 0:
        raise ParameterOutOfRange(
            f"epoch_seconds ({params.epoch_seconds}) must divide into rounds_per_epoch "
            f"({params.rounds_per_epoch}) rounds of whole seconds"
        )
    round_budget = params.mining.initial_per_epoch // params.rounds_per_epoch
    if params.drop_size > round_budget:
        raise DropLargerThanRound(
            f"drop_size {params.drop_size} exceeds the first era's round budget {round_budget}"
        )
    if params.behaviour_multiplier_min_bps > params.behaviour_multiplier_max_bps:
        raise ParameterOutOfRange("behaviour_multiplier_min_bps exceeds the maximum")
    if params.backing_bps > BASIS_POINTS or params.distance_odometer_tolerance_bps > BASIS_POINTS:
        raise ParameterOutOfRange("a share in basis points cannot exceed 10,000")
    if params.transfer_policy not in TRANSFER_POLICIES:
        raise InvalidParameter(f"transfer_policy must be one of {', '.join(TRANSFER_POLICIES)}")
    if params.dividend_mode not in DIVIDEND_MODES:
        raise InvalidParameter(f"dividend_mode must be one of {', '.join(DIVIDEND_MODES)}")
    if params.fulfilled_orders_to not in FULFILMENT_DESTINATIONS:
        raise InvalidParameter(
            f"fulfilled_orders_to must be one of {', '.join(FULFILMENT_DESTINATIONS)}"
        )


_POSITIVE_FIELDS: Final[tuple[str, ...]] = (
    "epoch_seconds", "rounds_per_epoch", "drop_size", "vehicle_epoch_cap_meters",
    "behaviour_multiplier_min_bps", "behaviour_multiplier_max_bps", "founding_round_fen",
    "backing_bps", "max_average_speed_kmh", "checkin_base_reward", "referral_referrer_reward",
    "referral_buyer_reward", "referral_yearly_cap", "attestor_threshold",
)  # fmt: skip
_NON_NEGATIVE_FIELDS: Final[tuple[str, ...]] = (
    "clock_skew_seconds", "odometer_gap_tolerance_meters", "distance_odometer_tolerance_meters",
    "distance_odometer_tolerance_bps", "checkin_streak_bonus", "checkin_streak_cap",
    "referral_vesting_days", "spend_lock_days", "dividend_ceiling_fen",
)  # fmt: skip


def _require_positive(name: str, value: int) -> None:
    if value <= 0:
        raise AmountNotPositive(f"{name} must be positive (got {value})")


def _require_fits(name: str, value: int) -> None:
    if value > MAX_AMOUNT:
        raise AmountTooLarge(f"{name} = {value} does not fit a signed 64-bit integer")


def _check_types(params: Parameters) -> None:
    # TOML and JSON hand us loosely typed values; bool is an int in Python, so check exactly.
    fields: list[tuple[str, object, Any]] = [
        (name, getattr(params, name), expected) for name, expected in _HINTS.items()
    ]
    for reserve in ("mining", "activity"):
        schedule = getattr(params, reserve)
        fields += [
            (f"{reserve}.{name}", getattr(schedule, name, None), expected)
            for name, expected in _SCHEDULE_HINTS.items()
        ]
    for name, value, expected in fields:
        if type(value) is not expected:
            raise InvalidParameter(
                f"{name} must be {expected.__name__}, got {type(value).__name__} {value!r}"
            )


_HINTS: Final[dict[str, Any]] = typing.get_type_hints(Parameters)
LEGACY_VALUES: Final[Mapping[str, Any]] = {
    "dividend_mode": "per_circulating",
    "dividend_ceiling_fen": 0,
}
"""Parameters added after programs were created, with the value those programs behave by.

A parameter set written before a field existed omits it and reads back with this value, and a
set holding this value writes it out omitted, so the canonical JSON, and with it every
`parameters_hash` already committed on-chain, stays the same."""
_SCHEDULE_HINTS: Final[dict[str, Any]] = typing.get_type_hints(EmissionSchedule)


# Serialisation: dictionaries, canonical JSON, TOML files and single overrides.


def parameters_to_dict(params: Parameters) -> dict[str, Any]:
    """The parameters as plain JSON-ready values, schedules as nested objects (a later field
    at its legacy value omitted, see `LEGACY_VALUES`)."""
    data = dataclasses.asdict(params)
    for name, legacy in LEGACY_VALUES.items():
        if data[name] == legacy:
            del data[name]
    return data


def parameters_to_json(params: Parameters) -> str:
    """Canonical JSON (sorted keys, no spaces): the form stored and hashed."""
    return json.dumps(parameters_to_dict(params), sort_keys=True, separators=(",", ":"))


def calculate_parameters_hash(params: Parameters) -> bytes:
    """keccak-256 of the canonical JSON, identifying a parameter set."""
    return keccak256(parameters_to_json(params).encode())


def parameters_from_dict(data: Mapping[str, Any]) -> Parameters:
    """Parameters from a complete dictionary (as `parameters_to_dict` makes), validated."""
    missing = sorted(set(_HINTS) - set(data) - set(LEGACY_VALUES))
    if missing:
        raise InvalidParameter(f"missing parameters: {', '.join(missing)}")
    return _merge(IM_CSOP, {**LEGACY_VALUES, **data})


def parse_parameters(toml_text: str, base: Parameters = IM_CSOP) -> Parameters:
    """`base` with the values of a TOML preset file applied, validated."""
    try:
        data = tomllib.loads(toml_text)
    except tomllib.TOMLDecodeError as error:
        raise InvalidParameter(f"preset file is not valid TOML: {error}") from None
    return _merge(base, data)


def override_parameters(params: Parameters, overrides: Mapping[str, Any]) -> Parameters:
    """`params` with `{"dotted.key": value}` overrides applied, validated."""
    nested: dict[str, Any] = {}
    for key, value in overrides.items():
        head, dot, tail = key.partition(".")
        if dot:
            section = nested.setdefault(head, {})
            if not isinstance(section, dict):
                raise InvalidParameter(f"{head} is not a section")
            section[tail] = value
        else:
            nested[key] = value
    return _merge(params, nested)


def parse_override(assignment: str) -> tuple[str, Any]:
    """Split `key=value` (as `--set` takes it); the value is read as TOML, else as text."""
    key, equals, text = assignment.partition("=")
    key = key.strip()
    if not equals or not key:
        raise InvalidParameter(f"expected key=value, got {assignment!r}")
    try:
        value = tomllib.loads(f"v = {text.strip()}")["v"]
    except tomllib.TOMLDecodeError:
        value = text.strip()
    return key, value


def _merge(base: Parameters, data: Mapping[str, Any]) -> Parameters:
    merged = dataclasses.asdict(base)
    for key, value in data.items():
        if key not in merged:
            raise UnknownParameter(f"unknown parameter {key!r}")
        if isinstance(merged[key], dict):
            if not isinstance(value, Mapping):
                raise InvalidParameter(f"{key} must be a table of {', '.join(merged[key])}")
            for sub, sub_value in value.items():
                if sub not in merged[key]:
                    raise UnknownParameter(f"unknown parameter {key}.{sub!r}")
                merged[key][sub] = sub_value
        else:
            merged[key] = value
    for name in ("mining", "activity"):
        merged[name] = EmissionSchedule(**merged[name])
    params = Parameters(**merged)
    validate_parameters(params)
    return params
