"""A settled program to audit: five epochs of a small fleet, built once for the session."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from epochs.conftest import DAY, GENESIS, Fleet, make_settlement, open_chain, start_program
from milestone.chain.program import ProgramView
from milestone.clock import ManualClock
from milestone.epochs.settle import settle
from milestone.epochs.steps import Settlement
from milestone.program.service import Program
from milestone.storage import Database, migrate

EPOCHS = 5


@dataclass
class Settled:
    """A program whose epochs are all settled: its epoch files and its Program on-chain."""

    epochs_dir: Path
    program: ProgramView
    contract: bytes
    epochs: int


@pytest.fixture(scope="session")
def settled(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Settled]:
    root = tmp_path_factory.mktemp("settled")
    database, clock, program, fleet = new_program(root, seed=5)
    fleet.drive(GENESIS, EPOCHS)
    data_dir = root / "data"
    with open_chain(data_dir) as chain:
        settlement = make_settlement(database, clock, program, data_dir, chain)
        clock.set(GENESIS + EPOCHS * DAY + settlement.grace_seconds)
        settle(settlement)
        yield settled_of(settlement, EPOCHS)
    database.dispose()


def new_program(root: Path, seed: int) -> tuple[Database, ManualClock, Program, Fleet]:
    """A fresh program of the minimal preset on SQLite in `root`, four owners with a car each."""
    database = Database.from_url(f"sqlite:///{root / 'milestone.db'}")
    migrate(database.engine)
    clock = ManualClock(GENESIS)
    program = start_program(database, clock)
    fleet = Fleet(database, clock)
    fleet.enroll(4, seed=seed)
    return database, clock, program, fleet


def settled_of(settlement: Settlement, epochs: int) -> Settled:
    """What an audit test reads of a settlement: its files and its Program."""
    return Settled(
        settlement.epochs_dir,
        settlement.anchor.program,
        bytes.fromhex(settlement.anchor.address[2:]),
        epochs,
    )
