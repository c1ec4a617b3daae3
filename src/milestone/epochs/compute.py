"""The computation of an epoch from its frozen inputs, shared by the settler and the auditor.

Everything here is a pure function of values an epoch file holds: the settler calls these
functions stage by stage as its steps complete, and `milestone audit` calls the very same ones
over a published file. If the two ever disagreed, that would be a bug in one code path; there
is only one.

Stages, in order: the epoch's budget (schedule plus what earlier epochs rolled over), the
weights tree over every `(round, account, weight)`, the seed (from the weights root and the
beacon reveals), the drops of every round, each account's reward, the balances carried forward
from the previous epoch, and the state and rewards trees over them.
"""

from __future__ import annotations

import gc
from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Final

from milestone.epochs.errors import SettlementError
from milestone.rules.drops import allocate_drops, split_round_budgets
from milestone.rules.hashing import keccak256_many
from milestone.rules.merkle import StandardMerkleTree, build_tree
from milestone.rules.params import Parameters
from milestone.rules.schedule import calculate_cumulative_release, calculate_epoch_budget

WEIGHTS_LEAF: Final[tuple[str, ...]] = ("uint256", "address", "uint256")
"""A weights leaf: `(round, account, weight)`."""
REWARD_LEAF: Final[tuple[str, ...]] = ("address", "uint256")
"""A rewards leaf: `(account, pebbles mined in the epoch)`."""
BALANCE_LEAF: Final[tuple[str, ...]] = ("address", "uint256")
"""A state leaf: `(account, balance in pebbles after the epoch)`."""
EMPTY_ROOT: Final[bytes] = bytes(32)
"""The root recorded for a tree with no leaves (OpenZeppelin's trees cannot be empty)."""
ADDRESS_BYTES: Final[int] = 20
_ADDRESS_PAD: Final[bytes] = bytes(12)
"""An address is ABI-encoded right-aligned in a 32-byte word."""

RoundWeights = Mapping[int, Mapping[bytes, int]]
"""Weights of one epoch: round → account address → weight."""


class NegativeBalance(SettlementError):
    """Carrying balances forward would leave an account below zero: the inputs are wrong."""

    code = "negative_balance"


@dataclass(frozen=True, slots=True)
class EpochBudget:
    """What an epoch may mine: its scheduled budget plus earlier rounds' rollover."""

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


@dataclass(frozen=True, slots=True)
class CumulativeTotals:
    """Totals since genesis after an epoch, as `finalize` commits them (pebbles; fen)."""

    cum_mined: int
    cum_activity: int
    cum_burned: int
    cum_dividends_fen: int


def calculate_budget(params: Parameters, epoch: int, rollover_in: int) -> EpochBudget:
    """
    The epoch's mining budget and its rounds' budgets.

    The schedule's budget for the epoch plus the budgets of the previous epoch's rounds that had
    no eligible driving: those roll into this whole epoch, spread over its rounds like the rest,
    rather than into the next round, so nobody wins a jackpot by driving first at dawn. Each
    round gets `total // rounds` (rounded down), the last round the remainder too.
    """
    scheduled = calculate_epoch_budget(params.mining, epoch)
    total = scheduled + rollover_in
    return EpochBudget(
        scheduled, rollover_in, tuple(split_round_budgets(total, params.rounds_per_epoch))
    )


def weight_rows(weights: RoundWeights) -> list[tuple[int, bytes, int]]:
    """The positive weights as `(round, account, weight)`, by round then account address."""
    return [
        (round_index, account, weight)
        for round_index in sorted(weights)
        for account, weight in sorted(weights[round_index].items())
        if weight > 0
    ]


def build_weights_tree(weights: RoundWeights) -> StandardMerkleTree | None:
    """The weights tree, None when nobody drove."""
    rows = weight_rows(weights)
    return StandardMerkleTree.of(rows, WEIGHTS_LEAF) if rows else None


def calculate_weights_root(weights: RoundWeights) -> tuple[bytes, int]:
    """The weights root posted on-chain and the epoch's total weight."""
    total = sum(weight for in_round in weights.values() for weight in in_round.values())
    encoded: list[bytes] = []
    for round_index, in_round in weights.items():
        _check_accounts(in_round)
        prefix = _word(round_index) + _ADDRESS_PAD
        encoded += [prefix + a + _word(w) for a, w in in_round.items() if w > 0]
    return calculate_root_of_encoded(encoded), total


def calculate_root_of_encoded(encoded: list[bytes]) -> bytes:
    """
    The root of OpenZeppelin's standard tree over leaves already ABI-encoded, in any order.

    `StandardMerkleTree.of(values, types).root`, without what only proofs need: the tree sorts
    its leaf hashes, so the order of the values does not matter, and sorting the hashes
    themselves (rather than the values by their hash) with no value-to-node index saves a
    third of the time for a million leaves. `EMPTY_ROOT` when there are no leaves.
    """
    if not encoded:
        return EMPTY_ROOT
    leaves = keccak256_many(keccak256_many(encoded))
    leaves.sort()
    return build_tree(leaves)[0]


def _word(value: int) -> bytes:
    """A uint256 as its 32-byte word; a negative or oversized amount is refused."""
    try:
        return value.to_bytes(32)
    except OverflowError:
        raise SettlementError(f"{value} is not a uint256") from None


def _check_accounts(amounts: Mapping[bytes, int]) -> None:
    if not all(len(account) == ADDRESS_BYTES for account in amounts):
        raise SettlementError("an account address is not 20 bytes")


def run_drops(seed: bytes, budget: EpochBudget, drop_size: int, weights: RoundWeights) -> Drops:
    """
    Every round's drops, and the rollover into the next epoch.

    Each round's budget falls as drops on that round's weights (`allocate_drops`). A round with
    no weight allocates nothing and its whole budget rolls over; a round with weight pays its
    budget exactly, so the epoch's budget equals what is paid plus what rolls over.
    """
    by_round: dict[int, dict[bytes, int]] = {}
    rollover = 0
    for round_index, round_budget in enumerate(budget.rounds):
        won = allocate_drops(
            seed, round_index, round_budget, drop_size, weights.get(round_index, {})
        )
        if won:
            by_round[round_index] = won
        else:
            rollover += round_budget
    return Drops(by_round, rollover)


def sum_rewards(drops: Mapping[int, Mapping[bytes, int]]) -> dict[bytes, int]:
    """Each account's reward for the epoch: its drops summed over the rounds."""
    rewards: dict[bytes, int] = {}
    for won in drops.values():
        for account, amount in won.items():
            rewards[account] = rewards.get(account, 0) + amount
    return rewards


def carry_forward(
    previous: Mapping[bytes, int],
    moves: Iterable[tuple[bytes, bytes]],
    rewards: Mapping[bytes, int],
    flows: Mapping[bytes, Mapping[str, int]],
) -> dict[bytes, int]:
    """
    The balances after the epoch: previous balance + reward + the epoch's other flows.

    `moves` re-key accounts whose address changed (an owner who linked a wallet) before
    anything is added. Flows are the owner's other stone movements in the epoch (activity
    rewards, spending, refunds), net by kind. Every account seen so far stays in the state, at
    zero if it spent everything, so the set of accounts only grows.
    """
    balances = dict(previous)
    for old, new in moves:
        balances[new] = balances.get(new, 0) + balances.pop(old, 0)
    for account, amount in rewards.items():
        balances[account] = balances.get(account, 0) + amount
    for account, by_kind in flows.items():
        balances[account] = balances.get(account, 0) + sum(by_kind.values())
    negative = sorted(account for account, balance in balances.items() if balance < 0)
    if negative:
        raise NegativeBalance(
            f"{len(negative)} account(s) would go below zero, first 0x{negative[0].hex()}"
        )
    return balances


def build_account_tree(
    amounts: Mapping[bytes, int], types: Sequence[str]
) -> StandardMerkleTree | None:
    """A tree over `(account, amount)` pairs in address order; None when there are none."""
    rows = sorted(amounts.items())
    return StandardMerkleTree.of(rows, types) if rows else None


def calculate_account_root(amounts: Mapping[bytes, int], types: Sequence[str]) -> bytes:
    """The root of `build_account_tree` over `(address, uint256)` leaves, `EMPTY_ROOT` if none."""
    if tuple(types) != ("address", "uint256"):
        raise ValueError(f"account trees are (address, uint256), not {types}")
    _check_accounts(amounts)
    return calculate_root_of_encoded([_ADDRESS_PAD + a + _word(v) for a, v in amounts.items()])


@contextmanager
def paused_collection() -> Iterator[None]:
    """Pause Python's cyclic garbage collector for a large computation.

    Building a million-leaf tree allocates millions of objects, each batch of which would make
    the collector re-scan every live container; none of them forms a cycle, so reference
    counting frees them all the same. Twice as fast for a million owners.
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def calculate_mining_totals(
    params: Parameters, epoch: int, previous_cum_mined: int, paid: int, rollover_out: int
) -> int:
    """
    Cumulative mined pebbles after the epoch, checked against the schedule.

    Every scheduled budget is either paid or carried as rollover, so mined plus the rollover
    still pending must equal exactly what the schedule released by the end of the epoch.
    """
    cum_mined = previous_cum_mined + paid
    released = calculate_cumulative_release(params.mining, epoch)
    if cum_mined + rollover_out != released:
        raise SettlementError(
            f"epoch {epoch}: mined {cum_mined} + rollover {rollover_out} differ from the "
            f"schedule's release {released}"
        )
    return cum_mined


def check_totals(params: Parameters, epoch: int, totals: CumulativeTotals) -> list[str]:
    """What is wrong with the cumulative totals against the schedules and the cap; [] if fine."""
    problems = []
    mining_release = calculate_cumulative_release(params.mining, epoch)
    activity_release = calculate_cumulative_release(params.activity, epoch)
    if totals.cum_mined > mining_release:
        problems.append(f"mined {totals.cum_mined} exceeds the mining release {mining_release}")
    if totals.cum_activity > activity_release:
        problems.append(
            f"activity {totals.cum_activity} exceeds the activity release {activity_release}"
        )
    if totals.cum_mined + totals.cum_activity > params.total_supply:
        problems.append("mined plus activity exceed the total supply")
    if totals.cum_burned > totals.cum_mined + totals.cum_activity:
        problems.append(f"burned {totals.cum_burned} exceeds what was ever issued")
    if min(totals.cum_mined, totals.cum_activity, totals.cum_burned, totals.cum_dividends_fen) < 0:
        problems.append("a cumulative total is negative")
    return problems
