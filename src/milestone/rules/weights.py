"""Mining weights: eligible meters, the behaviour multiplier, and the per-vehicle cap.

A round's drops fall in proportion to these weights. The operator computes them from signed,
consented trips; anyone holding the epoch file recomputes them with these functions.
"""

from __future__ import annotations

from collections.abc import Hashable, Mapping
from dataclasses import dataclass
from typing import Final, TypeVar

from milestone.rules.errors import InvalidAddress, InvalidWeight, MissingOwner

BASIS_POINTS: Final[int] = 10_000
MULTIPLIER_MIN_BPS: Final[int] = 10_000
"""1.00: no bonus, the weight is the distance."""
MULTIPLIER_MAX_BPS: Final[int] = 12_000
"""1.20: the bonus of a driver with no harsh events and no speeding."""
HARSH_EVENT_PENALTY_BPS: Final[int] = 500
"""Each harsh brake or acceleration per 100 km takes 0.05 off the multiplier."""
SPEEDING_MINUTE_PENALTY_BPS: Final[int] = 100
"""Each minute above the speed limit per 100 km takes 0.01 off the multiplier."""
METERS_PER_100_KM: Final[int] = 100_000
ADDRESS_BYTES: Final[int] = 20

Vehicle = TypeVar("Vehicle", bound=Hashable)


@dataclass(frozen=True, slots=True)
class BehaviourSummary:
    """What a vehicle reports about how it was driven over some distance."""

    meters: int
    harsh_brakes: int
    harsh_accelerations: int
    speeding_seconds: int


def calculate_behaviour_multiplier(
    summary: BehaviourSummary,
    min_bps: int = MULTIPLIER_MIN_BPS,
    max_bps: int = MULTIPLIER_MAX_BPS,
) -> int:
    """
    The weight multiplier, in basis points, earned by careful driving.

    Careful driving starts at the maximum and loses `HARSH_EVENT_PENALTY_BPS` per harsh event
    and `SPEEDING_MINUTE_PENALTY_BPS` per minute of speeding, each counted per 100 km so long
    and short distances compare fairly; the result is clamped to `[min_bps, max_bps]`. The
    penalty is rounded up, so a rounding never turns a recorded event into a bonus. A summary
    with no distance is no evidence of anything and earns the minimum.
    """
    counts = (summary.meters, summary.harsh_brakes, summary.harsh_accelerations)
    if min(*counts, summary.speeding_seconds) < 0:
        raise InvalidWeight("a behaviour summary cannot hold negative counts")
    if not 0 < min_bps <= max_bps:
        raise InvalidWeight(f"multiplier bounds {min_bps}..{max_bps} are not 0 < min <= max")
    if summary.meters == 0:
        return min_bps
    events = summary.harsh_brakes + summary.harsh_accelerations
    # Penalty per 100 km, with the per-minute speeding rate kept exact by scaling by 60.
    per_minute = events * HARSH_EVENT_PENALTY_BPS * 60
    per_minute += summary.speeding_seconds * SPEEDING_MINUTE_PENALTY_BPS
    numerator = per_minute * METERS_PER_100_KM
    penalty = -(-numerator // (summary.meters * 60))
    return max(min_bps, max_bps - penalty)


def calculate_round_weights(
    vehicle_round_meters: Mapping[Vehicle, Mapping[int, int]],
    multipliers: Mapping[Vehicle, Mapping[int, int | None]],
    owners: Mapping[Vehicle, Mapping[int, bytes]],
    cap: int,
) -> dict[int, dict[bytes, int]]:
    """
    The weight of each account in each round of one epoch.

    Inputs are keyed by vehicle, then by round of the epoch: the eligible meters driven,
    the multiplier in basis points (None, or no entry, when the owner had not consented to
    the `driving_behavior` scope: 1.00 then), and the owner's address at that time, who is the
    account credited. A vehicle's meters count only up to `cap` per epoch, used up in round
    order: the first meters driven are the ones that count, so a later round cannot displace an
    earlier one. A round's weight is `meters · bps // 10,000`, rounded down, summed over the
    vehicles an account owns. Rounds and accounts with zero weight are left out.
    """
    if cap < 0:
        raise InvalidWeight(f"the per-vehicle cap cannot be negative (got {cap})")
    weights: dict[int, dict[bytes, int]] = {}
    for vehicle, by_round in vehicle_round_meters.items():
        remaining = cap
        for round_index in sorted(by_round):
            meters = by_round[round_index]
            if meters < 0 or round_index < 0:
                raise InvalidWeight(f"vehicle {vehicle!r} round {round_index}: {meters} m")
            counted = min(meters, remaining)
            remaining -= counted
            if counted == 0:
                continue
            bps = multipliers.get(vehicle, {}).get(round_index)
            if bps is None:
                bps = BASIS_POINTS
            if bps <= 0:
                raise InvalidWeight(f"vehicle {vehicle!r}: multiplier must be positive, got {bps}")
            owner = owners.get(vehicle, {}).get(round_index)
            if owner is None:
                raise MissingOwner(f"vehicle {vehicle!r} has no owner in round {round_index}")
            if len(owner) != ADDRESS_BYTES:
                raise InvalidAddress(f"owner address must be 20 bytes, got {len(owner)}")
            weight = counted * bps // BASIS_POINTS
            if weight:
                in_round = weights.setdefault(round_index, {})
                in_round[owner] = in_round.get(owner, 0) + weight
    return weights
