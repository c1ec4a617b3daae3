"""Closing epochs to the intake: the first open epoch by clock and by settlement, and the lock
that keeps a closure from crossing a batch in flight."""

from __future__ import annotations

import pytest
from sqlalchemy import text
from sqlalchemy.exc import OperationalError

from milestone.program.service import Program
from milestone.storage import Database
from milestone.telemetry.closure import (
    close_epoch,
    hold_intake_open,
    intake_first_open_epoch,
    last_closed_epoch,
)

GENESIS = 1_767_225_600  # as tests/conftest.py
DAY = 86_400
GRACE = 3_600


def test_the_clock_closes_epochs_at_their_cutoff(database: Database, program: Program) -> None:
    with database.session() as session:
        assert last_closed_epoch(session) == -1
        assert intake_first_open_epoch(session, program, GENESIS + DAY + GRACE, GRACE) == 0
        assert intake_first_open_epoch(session, program, GENESIS + DAY + GRACE + 1, GRACE) == 1


def test_settlement_closes_an_epoch_before_its_cutoff_once(
    database: Database, program: Program
) -> None:
    for closed_at in (GENESIS + DAY + 60, GENESIS + DAY + 120):  # the second changes nothing
        with database.transaction() as session:
            close_epoch(session, 0, GENESIS + DAY, closed_at)
    with database.session() as session:
        assert last_closed_epoch(session) == 0
        assert intake_first_open_epoch(session, program, GENESIS + DAY + 60, GRACE) == 1
        assert intake_first_open_epoch(session, program, GENESIS + 3 * DAY, GRACE) == 2


def test_closing_waits_for_the_batches_in_flight(database: Database, program: Program) -> None:
    if database.dialect != "postgresql":
        pytest.skip("SQLite runs one write transaction at a time: nothing to wait for")
    with database.transaction() as batch:
        hold_intake_open(batch)
        with database.session() as settler, settler.begin():
            settler.execute(text("SET LOCAL lock_timeout = '200ms'"))
            with pytest.raises(OperationalError, match="lock timeout"):
                close_epoch(settler, 0, GENESIS + DAY, GENESIS + DAY)
    with database.transaction() as settler:
        close_epoch(settler, 0, GENESIS + DAY, GENESIS + DAY)
    with database.session() as session:
        assert last_closed_epoch(session) == 0
