"""The unit of work: commit, roll back, retry transient conflicts, read a consistent snapshot."""

from __future__ import annotations

import pytest
from sqlalchemy import text
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session

from milestone.clock import ManualClock
from milestone.ledger import open_accounts, read_head
from milestone.program.service import Program
from milestone.storage import Database
from milestone.storage.database import is_transient


def count_accounts(database: Database) -> int:
    with database.session() as session:
        return int(session.execute(text("SELECT count(*) FROM ledger_account")).scalar_one())


def test_a_transaction_commits_when_its_block_ends(database: Database, clock: ManualClock) -> None:
    with database.transaction() as session:
        open_accounts(session, clock, ["owner:1"])
    assert count_accounts(database) == 1


def test_a_transaction_rolls_back_when_its_block_raises(
    database: Database, clock: ManualClock
) -> None:
    with pytest.raises(RuntimeError), database.transaction() as session:
        open_accounts(session, clock, ["owner:1"])
        raise RuntimeError("the caller's own step failed")
    assert count_accounts(database) == 0


class FakeDriverError(Exception):
    def __init__(self, sqlstate: str | None = None, sqlite_errorcode: int | None = None) -> None:
        super().__init__("fake")
        if sqlstate is not None:
            self.sqlstate = sqlstate
        if sqlite_errorcode is not None:
            self.sqlite_errorcode = sqlite_errorcode


def conflict(**driver: object) -> OperationalError:
    return OperationalError("SELECT 1", {}, FakeDriverError(**driver))  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("driver", "transient"),
    [
        ({"sqlstate": "40001"}, True),
        ({"sqlstate": "40P01"}, True),
        ({"sqlstate": "23505"}, False),
        ({"sqlite_errorcode": 5}, True),
        ({"sqlite_errorcode": 517}, True),
        ({"sqlite_errorcode": 19}, False),
        ({}, False),
    ],
)
def test_which_errors_are_worth_a_retry(driver: dict[str, object], transient: bool) -> None:
    assert is_transient(conflict(**driver)) is transient


def test_run_retries_a_transient_conflict_and_commits_the_attempt_that_succeeds(
    database: Database, clock: ManualClock
) -> None:
    attempts = []

    def work(session: Session) -> str:
        attempts.append(1)
        open_accounts(session, clock, [f"owner:{len(attempts)}"])
        if len(attempts) < 3:
            raise conflict(sqlstate="40001")
        return "done"

    assert database.run(work) == "done"
    assert len(attempts) == 3
    assert count_accounts(database) == 1  # the failed attempts were rolled back


def test_run_gives_up_at_once_on_other_errors_and_after_the_last_attempt(
    database: Database,
) -> None:
    calls = []

    def fails(error: OperationalError) -> None:
        calls.append(1)
        raise error

    with pytest.raises(OperationalError):
        database.run(lambda session: fails(conflict(sqlstate="23505")))
    assert len(calls) == 1
    with pytest.raises(OperationalError):
        database.run(lambda session: fails(conflict(sqlstate="40P01")), attempts=2)
    assert len(calls) == 3


def test_a_snapshot_does_not_see_what_commits_after_its_first_read(
    database: Database, clock: ManualClock, program: Program
) -> None:
    with database.snapshot() as snapshot:
        seen = read_head(snapshot)
        with database.transaction() as session:
            open_accounts(session, clock, ["owner:1"])
            session.execute(text("UPDATE journal_head SET created_at = created_at + 1"))
        assert read_head(snapshot) == seen
    with database.session() as session:
        assert read_head(session).created_at == seen.created_at + 1
