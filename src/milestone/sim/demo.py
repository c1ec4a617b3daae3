"""The whole demonstration: a simulated program, settled epoch by epoch on the configured chain,
with the trust model production uses: two beacon members and two attestors (threshold 2), the
operator and one independent party each (`milestone.sim.parties`).

The genesis is `days` UTC days before the last closed epoch, so every simulated epoch is over on
the wall clock too: the chain (whose blocks carry real time) accepts their finalization, and
`milestone serve` afterwards shows a program whose history is complete.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass

from milestone.chain.keys import load_operator
from milestone.chain.program import Roles
from milestone.clock import ManualClock
from milestone.dividends.commitments import dividends_commitment
from milestone.epochs.setup import open_settlement
from milestone.epochs.steps import StepHook
from milestone.errors import MilestoneError
from milestone.program.service import load_program
from milestone.settings import Settings, operator_key_of
from milestone.sim.config import DAY, SimConfig
from milestone.sim.parties import THRESHOLD, Consortium, enroll_consortium, settle_with_consortium
from milestone.sim.run import Simulation, create_demo_program
from milestone.sim.state import SimStats
from milestone.storage import Database, open_database

DATA_IN_USE = (
    "the database already holds a program: give the demo a fresh --data-dir "
    "(or an empty --database-url)"
)


class DemoDataInUse(MilestoneError):
    """The demo builds a program from nothing: the database already holds one."""

    code = "demo_data_in_use"
    http_status = 409


@dataclass(frozen=True)
class DemoRun:
    """What the demo did: the simulation's counters and the epochs it settled."""

    stats: SimStats
    genesis: int
    settled: list[int]
    consortium: Consortium | None = None
    """The beacon member and attestor who took part beside the operator (None: not settled)."""


def demo_genesis(config: SimConfig, now: int, grace_seconds: int) -> int:
    """The latest UTC midnight from which `days` epochs have all closed (end plus grace) by
    `now`: the last simulated epoch is yesterday, or the day before in the first hour."""
    return ((now - grace_seconds) // DAY - config.days) * DAY


def run_demo(
    settings: Settings,
    config: SimConfig,
    *,
    settle_epochs: bool = True,
    on_day: Callable[[int], None] | None = None,
    on_step: StepHook | None = None,
    now: int | None = None,
) -> DemoRun:
    """Simulate `config` on the configured database, settling each epoch once it closes."""
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    database = open_database(settings.database_url)
    try:
        _require_empty(database)
        now = int(time.time()) if now is None else now
        genesis = demo_genesis(config, now, settings.settle_grace_seconds)
        clock = ManualClock(genesis)
        create_demo_program(database, clock, config, genesis)
        simulation = Simulation(database, clock, config, genesis, settings.settle_grace_seconds)
        if not settle_epochs:
            return DemoRun(simulation.run(on_day=on_day), genesis, [])
        settled: list[int] = []
        operator = load_operator(settings.data_dir, operator_key_of(settings))
        consortium = enroll_consortium(settings.data_dir, operator.address)
        roles = Roles(
            operator=operator.address,
            attestors=tuple(consortium.attestors),
            threshold=THRESHOLD,
            beacon_members=tuple(consortium.beacon_members),
        )
        with open_settlement(
            settings, clock, dividends=dividends_commitment, database=database, on_step=on_step,
            roles=roles,
        ) as ctx:

            def close(epoch: int) -> None:
                settled.extend(settle_with_consortium(ctx, consortium, epoch))

            stats = simulation.run(close, on_day)
        return DemoRun(stats, genesis, settled, consortium)
    finally:
        database.dispose()


def _require_empty(database: Database) -> None:
    with database.session() as session:
        try:
            load_program(session)
        except MilestoneError:
            return
    raise DemoDataInUse(DATA_IN_USE)
