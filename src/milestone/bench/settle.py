"""How long one epoch's computation takes for n owners, stage by stage, against the keccak floor.

The stages are the ones settlement and the audit share (`milestone.rules.mining`, `epoch_state`
and the fast roots of `milestone.epochs.compute`) plus writing the epoch file: everything whose
cost grows with the number of owners. The chain's part is a fixed handful of transactions per
epoch whatever the owner count (its gas is measured by `milestone bench chain`), and the
database's part is the inserts of the same rows.

The floor is bare keccak-256 over inputs of the sizes the three trees hash (per leaf its ABI
encoding and the hash of that, per inner node 64 bytes), in the same tight loop the trees use,
measured in the same run: the ratio says what encoding, sorting, dictionaries and JSON cost on
top of the hashing that cannot be avoided.
"""

from __future__ import annotations

import gc
import math
import random
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, TypeVar

from milestone.epochs import epochfile
from milestone.epochs.compute import (
    calculate_account_root,
    calculate_weights_root,
    paused_collection,
)
from milestone.epochs.epochfile import BeaconRecord, EpochFile, JournalHead, ProgramInfo
from milestone.rules.beacon import commit_of, derive_seed
from milestone.rules.epoch_state import CumulativeTotals, carry_forward
from milestone.rules.hashing import keccak256_many
from milestone.rules.leaves import BALANCE_LEAF, REWARD_LEAF
from milestone.rules.mining import calculate_mining_budget, run_drops, sum_rewards
from milestone.rules.params import Parameters, calculate_parameters_hash, get_preset

OWNER_COUNTS = (1_000, 10_000, 100_000, 1_000_000)
ROUNDS_DRIVEN = 2
"""Each synthetic owner drives in two rounds of the epoch (to work and back)."""
FLOW_EVERY = 20
"""One owner in twenty has another stone movement in the epoch (a check-in)."""
EPOCH = 1
"""An epoch of the first era: the full budget falls."""

T = TypeVar("T")


@dataclass
class SettleBench:
    """One owner count's figures."""

    owners: int
    weight_leaves: int
    state_leaves: int
    reward_leaves: int
    stages: dict[str, float] = field(default_factory=dict)
    stages_cpu: dict[str, float] = field(default_factory=dict)
    hash_floor_seconds: float = 0.0
    hash_floor_cpu_seconds: float = 0.0
    file_bytes: int = 0

    @property
    def seconds(self) -> float:
        return sum(self.stages.values())

    @property
    def cpu_seconds(self) -> float:
        return sum(self.stages_cpu.values())

    def to_json(self) -> dict[str, Any]:
        return {
            "owners": self.owners,
            "seconds": round(self.seconds, 3),
            "hash_floor_seconds": round(self.hash_floor_seconds, 3),
            "ratio": round(self.seconds / self.hash_floor_seconds, 2),
            # The same in this process's CPU time: what the ratio is on a machine not shared
            # with other work (wall time counts every moment another process held the core).
            "cpu_seconds": round(self.cpu_seconds, 3),
            "hash_floor_cpu_seconds": round(self.hash_floor_cpu_seconds, 3),
            "cpu_ratio": round(self.cpu_seconds / self.hash_floor_cpu_seconds, 2),
            "stages": {name: round(seconds, 3) for name, seconds in self.stages.items()},
            "stages_cpu": {name: round(seconds, 3) for name, seconds in self.stages_cpu.items()},
            "weight_leaves": self.weight_leaves,
            "state_leaves": self.state_leaves,
            "reward_leaves": self.reward_leaves,
            "epoch_file_bytes": self.file_bytes,
        }


def synthetic_epoch(
    owners: int, params: Parameters, seed: int = 0
) -> tuple[dict[int, dict[bytes, int]], dict[bytes, int], dict[bytes, dict[str, int]]]:
    """Weights by round, previous balances and flows for `owners` owners, the same per seed."""
    rng = random.Random(seed)
    addresses = [rng.randbytes(20) for _ in range(owners)]
    weights: dict[int, dict[bytes, int]] = {}
    for address in addresses:
        for round_index in rng.sample(range(params.rounds_per_epoch), ROUNDS_DRIVEN):
            weights.setdefault(round_index, {})[address] = rng.randint(1_000, 120_000)
    previous = {address: rng.getrandbits(40) for address in addresses}
    flows = {address: {"activity.checkin": 10**7} for address in addresses[::FLOW_EVERY]}
    return weights, previous, flows


def run_settle_bench(owners: int, preset: str = "im-csop", seed: int = 0) -> SettleBench:
    """Time every stage of one epoch for `owners` owners, then the keccak floor of its trees."""
    params = get_preset(preset)
    weights, previous, flows = synthetic_epoch(owners, params, seed)
    # The inputs live as long as the run: keep the collector from re-scanning them in every
    # stage (the settler's inputs are loaded once the same way).
    gc.collect()
    gc.freeze()
    try:
        return _run_stages(owners, params, weights, previous, flows, seed)
    finally:
        gc.unfreeze()


def _run_stages(
    owners: int,
    params: Parameters,
    weights: dict[int, dict[bytes, int]],
    previous: dict[bytes, int],
    flows: dict[bytes, dict[str, int]],
    seed: int,
) -> SettleBench:
    weight_leaves = sum(len(in_round) for in_round in weights.values())
    stages: dict[str, float] = {}
    stages_cpu: dict[str, float] = {}

    def timed(name: str, work: Callable[[], T]) -> T:
        with paused_collection():  # as the settler and the auditor run them
            started, cpu = time.perf_counter(), time.process_time()
            result = work()
            stages[name] = time.perf_counter() - started
            stages_cpu[name] = time.process_time() - cpu
        return result

    floors: list[tuple[float, float]] = []
    root, total = timed("weights_tree", lambda: calculate_weights_root(weights))
    floors.append(hash_floor(weight_leaves, 96, seed))  # right after: under the same load
    reveal = random.Random(seed).randbytes(32)
    seed_bytes = derive_seed(root, [reveal])
    budget = calculate_mining_budget(params, EPOCH, 0, weights)
    drops = timed("drops", lambda: run_drops(seed_bytes, budget, params.drop_size, weights))
    rewards = timed("rewards", lambda: sum_rewards(drops.by_round))
    rewards_root = timed("rewards_tree", lambda: calculate_account_root(rewards, REWARD_LEAF))
    floors.append(hash_floor(len(rewards), 64, seed))
    balances = timed("balances", lambda: carry_forward(previous, [], rewards, flows))
    state_root = timed("state_tree", lambda: calculate_account_root(balances, BALANCE_LEAF))
    floors.append(hash_floor(len(balances), 64, seed))
    record = EpochFile(
        epoch=EPOCH,
        program=ProgramInfo(params, calculate_parameters_hash(params), 0, 1, bytes(20)),
        window_start=EPOCH * params.epoch_seconds,
        window_end=(EPOCH + 1) * params.epoch_seconds,
        inputs_cutoff=(EPOCH + 1) * params.epoch_seconds + 3_600,
        budget=budget,
        rollover_out=drops.rollover_out,
        beacon=BeaconRecord((bytes(20),), (commit_of(reveal),), (reveal,), seed_bytes),
        weights=weights, weights_root=root, total_weight=total, drops=drops.by_round,
        rewards=rewards, rewards_root=rewards_root, flows=flows, balances=balances,
        state_root=state_root, journal_previous=JournalHead(0, bytes(32)),
        journal_head=JournalHead(1, bytes(32)), previous_file_hash=bytes(32),
        totals=CumulativeTotals(drops.paid, 0, 0, 0),
    )  # fmt: skip
    canonical = timed("epoch_file_render", lambda: epochfile.render(record))
    timed("epoch_file_compress", lambda: epochfile.compress(canonical))
    timed("epoch_file_hash", lambda: epochfile.file_hash(canonical))
    result = SettleBench(owners, weight_leaves, len(balances), len(rewards), stages, stages_cpu)
    result.file_bytes = len(canonical)
    result.hash_floor_seconds = sum(wall for wall, _ in floors)
    result.hash_floor_cpu_seconds = sum(cpu for _, cpu in floors)
    return result


def hash_floor(leaves: int, leaf_bytes: int, seed: int = 0) -> tuple[float, float]:
    """Wall and CPU seconds of bare keccak for a tree of `leaves` leaves encoded in `leaf_bytes`:
    a hash of each encoding, a hash of each of those, one per inner node (64 bytes): 3n - 1."""
    if leaves == 0:
        return 0.0, 0.0
    rng = random.Random(seed + 1)
    inputs = [
        [rng.randbytes(leaf_bytes) for _ in range(leaves)],
        [rng.randbytes(32) for _ in range(leaves)],
        [rng.randbytes(64) for _ in range(leaves - 1)],
    ]
    with paused_collection():
        started, cpu = time.perf_counter(), time.process_time()
        for batch in inputs:
            keccak256_many(batch)
        return time.perf_counter() - started, time.process_time() - cpu


def run_settle_benches(
    counts: Sequence[int] = OWNER_COUNTS, preset: str = "im-csop"
) -> dict[str, dict[str, Any]]:
    """Every owner count's figures, keyed by the count as a string.

    Each count after the first also says how its time grew from the one before, next to how
    n log n grows over the same step: growth no worse than n log n is the target.
    """
    results: dict[str, dict[str, Any]] = {}
    previous: int | None = None
    for count in sorted(counts):
        figures = run_settle_bench(count, preset).to_json()
        if previous is not None:
            before = results[str(previous)]
            figures["growth_from"] = previous
            figures["time_growth"] = round(figures["seconds"] / before["seconds"], 2)
            figures["n_log_n_growth"] = round(
                count * math.log(count) / (previous * math.log(previous)), 2
            )
        results[str(count)] = figures
        previous = count
    return results
