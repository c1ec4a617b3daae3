"""The verifiable random drops: how a round's budget is cut up and who each piece falls to.

Given the epoch's seed and a round's weights, the allocation is a pure function: anyone can
re-run it from the published epoch file and the on-chain seed and get the same amounts.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Mapping
from itertools import accumulate
from typing import Final

from milestone.rules.errors import (
    AmountNegative,
    AmountNotPositive,
    InvalidAddress,
    InvalidHash,
    InvalidRound,
    InvalidWeight,
)
from milestone.rules.hashing import keccak256

ADDRESS_BYTES: Final[int] = 20
SEED_BYTES: Final[int] = 32
WORD_BYTES: Final[int] = 32
"""Round and drop indices are hashed as 32-byte big-endian words, like Solidity's uint256."""


def split_round_budgets(epoch_budget: int, rounds: int) -> list[int]:
    """
    An epoch's budget cut into its rounds' budgets.

    Every round gets `epoch_budget // rounds` (rounded down) and the last round also gets the
    remainder, so the rounds sum exactly to the epoch's budget.
    """
    if epoch_budget < 0:
        raise AmountNegative(f"an epoch budget cannot be negative (got {epoch_budget})")
    if rounds <= 0:
        raise AmountNotPositive(f"an epoch needs at least one round (got {rounds})")
    share, remainder = divmod(epoch_budget, rounds)
    return [share] * (rounds - 1) + [share + remainder]


def calculate_drop_point(seed: bytes, round_index: int, drop: int, total_weight: int) -> int:
    """
    Where drop `drop` of round `round_index` lands on the line of cumulative weights.

    `keccak256(seed ‖ uint256(round) ‖ uint256(drop)) mod W`, the hash input being Solidity's
    `abi.encodePacked(bytes32, uint256, uint256)`. Reducing a 256-bit hash modulo W favours
    low points by at most W / 2^256, far below anything measurable.
    """
    word = keccak256(seed + round_index.to_bytes(WORD_BYTES) + drop.to_bytes(WORD_BYTES))
    return int.from_bytes(word) % total_weight


def allocate_drops(
    seed: bytes,
    round_index: int,
    budget: int,
    drop_size: int,
    weights: Mapping[bytes, int],
) -> dict[bytes, int]:
    """
    Pebbles each account wins in one round.

    The budget is cut into drops of `drop_size`, the remainder forming one smaller last drop,
    so the drops sum to the budget exactly. Accounts are laid on a line in ascending order of
    their address bytes, each owning an interval as long as its weight; drop j goes to the
    account whose interval contains `calculate_drop_point(seed, round, j, W)`, W being the
    total weight. An account's expected share is therefore its weight over W; one with zero
    weight owns no interval and never wins. With no weight at all, or no budget, nothing is
    allocated: the caller rolls the budget over.
    """
    if len(seed) != SEED_BYTES:
        raise InvalidHash(f"seed must be 32 bytes, got {len(seed)}")
    if not 0 <= round_index < 2 ** (8 * WORD_BYTES):
        raise InvalidRound(f"round index {round_index} is not a uint256")
    if budget < 0:
        raise AmountNegative(f"a round budget cannot be negative (got {budget})")
    if drop_size <= 0:
        raise AmountNotPositive(f"drop size must be positive (got {drop_size})")
    for address, weight in weights.items():
        if len(address) != ADDRESS_BYTES:
            raise InvalidAddress(f"account address must be 20 bytes, got {len(address)}")
        if weight < 0:
            raise InvalidWeight(f"weight of 0x{address.hex()} is negative ({weight})")
    accounts = sorted(address for address, weight in weights.items() if weight > 0)
    interval_ends = list(accumulate(weights[address] for address in accounts))
    if budget == 0 or not accounts:
        return {}
    total_weight = interval_ends[-1]
    full_drops, last_drop = divmod(budget, drop_size)
    sizes = [drop_size] * full_drops + ([last_drop] if last_drop else [])
    # The hash input shares its first 64 bytes across the round; build it once.
    prefix = seed + round_index.to_bytes(WORD_BYTES)
    won: dict[bytes, int] = {}
    for drop, size in enumerate(sizes):
        point = int.from_bytes(keccak256(prefix + drop.to_bytes(WORD_BYTES))) % total_weight
        winner = accounts[bisect_right(interval_ends, point)]
        won[winner] = won.get(winner, 0) + size
    return won
