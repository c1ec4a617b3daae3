"""The mining budget of an epoch, its split over the rounds, and the drops that pay it.

An epoch may mine its scheduled budget plus whatever earlier epochs rolled over. The rule in
force (epoch file version 2) splits that budget over the rounds in proportion to each round's
total weight, so every weighted metre of a day earns alike whether it was driven alone at
3 a.m. or in the rush hour, and only an epoch with no eligible driving at all rolls over. The
rule before it (version 1, `calculate_legacy_mining_budget`) gave every round a fixed share of
the day and rolled the share of every undriven round into the next epoch; it stays here, named,
because the epoch files made under it are audited under it.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from milestone.rules.drops import allocate_drops, split_round_budgets
from milestone.rules.errors import AmountNegative, InvalidRound, InvalidWeight
from milestone.rules.params import Parameters
from milestone.rules.schedule import calculate_epoch_budget

RoundWeights = Mapping[int, Mapping[bytes, int]]
"""Weights of one epoch: round → account address → weight."""


@dataclass(frozen=True, slots=True)
class EpochBudget:
    """What an epoch may mine (scheduled plus rollover) and each round's part of it."""

    scheduled: int
    rollover_in: int
    rounds: tuple[int, ...]

    @property
    def total(self) -> int:
        return self.scheduled + self.rollover_in


@dataclass(frozen=True, slots=True)
class Drops:
    """The drops of an epoch: pebbles won per round per account, and what rolls over."""

    by_round: dict[int, dict[bytes, int]]
    rollover_out: int

    @property
    def paid(self) -> int:
        return sum(sum(won.values()) for won in self.by_round.values())


def split_budget_by_weight(budget: int, round_weights: Sequence[int]) -> list[int]:
    """
    An epoch's budget cut into its rounds' budgets in proportion to each round's weight.

    Round r first gets `budget · w_r // W` (rounded down), W being the epoch's total weight.
    The pebbles left over (fewer than the number of rounds with weight) go one each to the
    rounds with the largest remainders `budget · w_r mod W`, equal remainders to the lower
    round index, so the budgets sum to `budget` exactly and none exceeds its exact share by a
    pebble or more. A round with no weight has no remainder and gets nothing. With no weight at
    all every round gets nothing: the caller rolls the whole budget over.

    Why: the rate per unit of weight, `budget / W`, is then the same in every round of the day
    (to a pebble), so where in the day a kilometre was driven does not change what it earns.
    """
    if budget < 0:
        raise AmountNegative(f"an epoch budget cannot be negative (got {budget})")
    if any(weight < 0 for weight in round_weights):
        raise InvalidWeight("a round's weight cannot be negative")
    total_weight = sum(round_weights)
    if total_weight == 0:
        return [0] * len(round_weights)
    shares: list[int] = []
    remainders: list[tuple[int, int]] = []
    for round_index, weight in enumerate(round_weights):
        share, remainder = divmod(budget * weight, total_weight)
        shares.append(share)
        remainders.append((-remainder, round_index))
    leftover = budget - sum(shares)
    # Largest remainder first, then the lower round index: sort on (-remainder, round).
    for _, round_index in sorted(remainders)[:leftover]:
        shares[round_index] += 1
    return shares


def sum_round_weights(params: Parameters, weights: RoundWeights) -> list[int]:
    """Each round's total weight, rounds `0 .. rounds_per_epoch - 1` (zero where nobody drove)."""
    totals = [0] * params.rounds_per_epoch
    for round_index, in_round in weights.items():
        if not 0 <= round_index < params.rounds_per_epoch:
            raise InvalidRound(f"round {round_index} is outside 0..{params.rounds_per_epoch - 1}")
        for weight in in_round.values():
            if weight < 0:
                raise InvalidWeight(f"a weight in round {round_index} is negative ({weight})")
            totals[round_index] += weight
    return totals


def calculate_mining_budget(
    params: Parameters, epoch: int, rollover_in: int, weights: RoundWeights
) -> EpochBudget:
    """
    The epoch's mining budget and its rounds' budgets under the rule in force.

    The schedule's budget for the epoch plus the rollover, split over the rounds in proportion
    to their weights (`split_budget_by_weight`). Rollover only comes from an epoch in which
    nobody drove, and the next epoch with driving pays it whole.
    """
    if rollover_in < 0:
        raise AmountNegative(f"a rollover cannot be negative (got {rollover_in})")
    scheduled = calculate_epoch_budget(params.mining, epoch)
    rounds = split_budget_by_weight(scheduled + rollover_in, sum_round_weights(params, weights))
    return EpochBudget(scheduled, rollover_in, tuple(rounds))


def calculate_legacy_mining_budget(params: Parameters, epoch: int, rollover_in: int) -> EpochBudget:
    """
    The epoch's mining budget under the first rule (epoch files of version 1).

    Each round got `total // rounds` whoever drove in it, the last round the remainder too, and
    the budget of every round without driving rolled into the next epoch. Measured, it paid
    epoch 0 of the demo 37% of its budget and a lone driver 1,213 stones for 30 m: superseded
    by `calculate_mining_budget`, kept to audit the files made under it.
    """
    if rollover_in < 0:
        raise AmountNegative(f"a rollover cannot be negative (got {rollover_in})")
    scheduled = calculate_epoch_budget(params.mining, epoch)
    total = scheduled + rollover_in
    return EpochBudget(
        scheduled, rollover_in, tuple(split_round_budgets(total, params.rounds_per_epoch))
    )


def run_drops(seed: bytes, budget: EpochBudget, drop_size: int, weights: RoundWeights) -> Drops:
    """
    Every round's drops, and the rollover into the next epoch.

    Each round's budget falls as drops on that round's weights (`allocate_drops`). A round with
    weight pays its budget exactly; whatever is not paid (the budget of rounds nobody drove in)
    rolls over, so the epoch's budget equals what is paid plus what rolls over, under either
    rule.
    """
    by_round: dict[int, dict[bytes, int]] = {}
    for round_index, round_budget in enumerate(budget.rounds):
        won = allocate_drops(
            seed, round_index, round_budget, drop_size, weights.get(round_index, {})
        )
        if won:
            by_round[round_index] = won
    paid = sum(sum(won.values()) for won in by_round.values())
    return Drops(by_round, budget.total - paid)


def sum_rewards(drops: Mapping[int, Mapping[bytes, int]]) -> dict[bytes, int]:
    """Each account's reward for the epoch: its drops summed over the rounds."""
    rewards: dict[bytes, int] = {}
    for won in drops.values():
        for account, amount in won.items():
            rewards[account] = rewards.get(account, 0) + amount
    return rewards
