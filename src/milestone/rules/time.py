"""Epochs and drop rounds, counted from the program's genesis, and pro-rating trips over them.

Instants are integer Unix seconds, UTC. Epoch e covers `[genesis + e·epoch_seconds,
genesis + (e+1)·epoch_seconds)` and splits into `rounds_per_epoch` equal rounds; every interval
is half-open, so an instant on a boundary belongs to the later epoch or round.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

from milestone.rules.errors import (
    GenesisNotMidnight,
    InstantBeforeGenesis,
    InvalidInterval,
    InvalidWeight,
    NegativeEpoch,
    ParameterOutOfRange,
)

SECONDS_PER_DAY: Final[int] = 86_400
EPOCH_SECONDS: Final[int] = 86_400
"""An epoch is one UTC day."""
ROUNDS_PER_EPOCH: Final[int] = 144
"""IM drops a batch every 10 minutes."""


@dataclass(frozen=True, slots=True)
class RoundShare:
    """The meters of a trip that fall inside one round of one epoch."""

    epoch: int
    round: int
    meters: int


def validate_genesis(genesis: int) -> None:
    """
    Refuse a genesis that is not a UTC midnight.

    Epochs are UTC days so that "once per day" rules (check-ins) and the epochs the public
    sees line up with the calendar; that holds only if epoch 0 starts at a midnight.
    """
    if genesis < 0 or genesis % SECONDS_PER_DAY != 0:
        raise GenesisNotMidnight(f"genesis {genesis} is not a UTC midnight (a multiple of 86400)")


def epoch_of(instant: int, genesis: int, epoch_seconds: int = EPOCH_SECONDS) -> int:
    """The epoch containing `instant`."""
    _check_time(instant, genesis, epoch_seconds, 1)
    return (instant - genesis) // epoch_seconds


def epoch_start(epoch: int, genesis: int, epoch_seconds: int = EPOCH_SECONDS) -> int:
    """The first instant of `epoch`."""
    validate_genesis(genesis)
    if epoch < 0:
        raise NegativeEpoch(f"epoch must not be negative (got {epoch})")
    return genesis + epoch * epoch_seconds


def round_of(
    instant: int,
    genesis: int,
    epoch_seconds: int = EPOCH_SECONDS,
    rounds_per_epoch: int = ROUNDS_PER_EPOCH,
) -> tuple[int, int]:
    """The `(epoch, round)` containing `instant`; rounds count from 0 within each epoch."""
    _check_time(instant, genesis, epoch_seconds, rounds_per_epoch)
    epoch, offset = divmod(instant - genesis, epoch_seconds)
    return epoch, offset // (epoch_seconds // rounds_per_epoch)


def prorate_distance(
    start: int,
    end: int,
    meters: int,
    genesis: int,
    epoch_seconds: int = EPOCH_SECONDS,
    rounds_per_epoch: int = ROUNDS_PER_EPOCH,
) -> list[RoundShare]:
    """
    Spread a trip's meters over the rounds its time span `[start, end)` touches.

    A trip reports one distance for its whole span, so each round is credited the distance in
    proportion to the time the trip spent in it. With `t` the seconds elapsed since `start`,
    the meters driven by `t` are `meters · t // duration` (rounded down); a round receives the
    meters driven by its end minus those driven by its start. The differences telescope, so the
    shares sum to `meters` exactly, each share is within one meter of its exact value, and the
    rounding remainder falls where the running total crosses a whole meter instead of piling
    up in one round. A zero-length trip lands wholly in the round of `start`. Rounds that
    receive no meters are left out, in chronological order otherwise.
    """
    _check_time(start, genesis, epoch_seconds, rounds_per_epoch)
    if end < start:
        raise InvalidInterval(f"trip ends ({end}) before it starts ({start})")
    if meters < 0:
        raise InvalidWeight(f"a distance cannot be negative (got {meters})")
    if meters == 0:
        return []
    round_seconds = epoch_seconds // rounds_per_epoch
    duration = end - start
    if duration == 0:
        epoch, round_index = round_of(start, genesis, epoch_seconds, rounds_per_epoch)
        return [RoundShare(epoch, round_index, meters)]
    shares: list[RoundShare] = []
    global_round = (start - genesis) // round_seconds
    driven_before = 0
    while True:
        round_end = genesis + (global_round + 1) * round_seconds
        elapsed = min(round_end, end) - start
        driven = meters * elapsed // duration
        if driven > driven_before:
            epoch, round_index = divmod(global_round, rounds_per_epoch)
            shares.append(RoundShare(epoch, round_index, driven - driven_before))
            driven_before = driven
        if round_end >= end:
            return shares
        global_round += 1


def _check_time(instant: int, genesis: int, epoch_seconds: int, rounds_per_epoch: int) -> None:
    validate_genesis(genesis)
    if epoch_seconds <= 0 or rounds_per_epoch <= 0 or epoch_seconds % rounds_per_epoch != 0:
        raise ParameterOutOfRange(
            f"{epoch_seconds} s epochs cannot split into {rounds_per_epoch} whole-second rounds"
        )
    if instant < genesis:
        raise InstantBeforeGenesis(f"instant {instant} is before genesis {genesis}")
