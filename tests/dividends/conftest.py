"""The dividends' tests of the split over circulating stones run on a `per_circulating` program;
tests/dividends/test_per_stone.py runs on the default, per stone."""

from __future__ import annotations

import dataclasses

import pytest

from milestone.clock import ManualClock
from milestone.program.service import Program, create_program
from milestone.rules.params import get_preset
from milestone.storage import Database


@pytest.fixture
def program(database: Database, clock: ManualClock) -> Program:
    """The `minimal` preset with dividends split over the circulating stones, committed."""
    params = dataclasses.replace(get_preset("minimal"), dividend_mode="per_circulating")
    with database.transaction() as session:
        return create_program(session, clock, params, genesis=clock.now())
