"""Fixtures of the ledger tests: a program with a few open accounts, and table snapshots."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from sqlalchemy import select

from milestone.clock import ManualClock
from milestone.ledger import ACTIVITY_RESERVE, open_accounts, post_transaction, transfer
from milestone.program.service import Program
from milestone.storage import Database
from milestone.storage.models import metadata

OWNERS = ("owner:1", "owner:2", "owner:3")
MERCHANT = "merchant:1"

Snapshot = dict[str, list[tuple[object, ...]]]


@pytest.fixture
def accounts(database: Database, clock: ManualClock, program: Program) -> tuple[str, ...]:
    """Three owners and a merchant, opened and empty."""
    with database.transaction() as session:
        open_accounts(session, clock, [*OWNERS, MERCHANT])
    return OWNERS


@pytest.fixture
def fund(
    database: Database, clock: ManualClock, accounts: tuple[str, ...]
) -> Callable[[str, int], None]:
    """Grant pebbles from the activity reserve to an account, committed."""
    grants = iter(range(1, 10**9))

    def fund(account: str, amount: int) -> None:
        with database.transaction() as session:
            post_transaction(
                session,
                clock,
                "grant",
                f"grant-{next(grants)}",
                transfer(ACTIVITY_RESERVE, account, amount),
            )

    return fund


@pytest.fixture
def snapshot(database: Database) -> Callable[[], Snapshot]:
    """Every row of every table, to show that a refused operation changed nothing."""

    def snapshot() -> Snapshot:
        with database.session() as session:
            return {
                table.name: sorted(
                    (
                        tuple(bytes(v) if isinstance(v, memoryview) else v for v in row)
                        for row in session.execute(select(table))
                    ),
                    key=repr,
                )
                for table in metadata.sorted_tables
            }

    return snapshot
