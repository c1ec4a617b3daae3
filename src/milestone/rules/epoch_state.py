"""What an epoch leaves behind: the balances carried forward and the cumulative totals.

Each epoch's balances are the previous epoch's plus what the epoch paid and moved; its totals
since genesis are what `finalize` commits on-chain and must stay within the schedules and the
supply.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from milestone.rules.errors import MiningTotalsMismatch, NegativeBalance
from milestone.rules.params import Parameters
from milestone.rules.schedule import calculate_cumulative_release


@dataclass(frozen=True, slots=True)
class CumulativeTotals:
    """Totals since genesis after an epoch, as `finalize` commits them (pebbles; fen)."""

    cum_mined: int
    cum_activity: int
    cum_burned: int
    cum_dividends_fen: int


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
    zero if it spent everything, so the set of accounts only grows. A balance below zero means
    the inputs are wrong and is refused.
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
        raise MiningTotalsMismatch(
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
