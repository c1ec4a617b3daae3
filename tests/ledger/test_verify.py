"""`verify_ledger` passes an intact ledger and names the first entry of a tampered one."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from milestone.clock import ManualClock
from milestone.ledger import post_transaction, transfer, verify_ledger
from milestone.ledger.verify import VerifyReport
from milestone.storage import Database

from .forgery import rehash_from, tamper


@pytest.fixture
def journal(database: Database, clock: ManualClock, fund: Callable[[str, int], None]) -> Database:
    """Genesis, a grant (entry 2) and three gifts (entries 3 to 5)."""
    fund("owner:1", 100)
    with database.transaction() as session:
        for n in range(3):
            clock.advance(600)
            post_transaction(session, clock, "gift", f"g{n}", transfer("owner:1", "owner:2", 10))
    return database


def verify(database: Database) -> VerifyReport:
    with database.snapshot() as session:
        return verify_ledger(session)


def test_an_intact_ledger_verifies(journal: Database) -> None:
    report = verify(journal)
    assert report.ok and report.first is None
    assert (report.entries, report.postings, report.head_seq) == (5, 3 + 2 + 6, 5)
    assert report.to_dict()["ok"] is True


def test_an_edited_posting_amount_breaks_that_entrys_hash(journal: Database) -> None:
    tamper(journal, "UPDATE journal_posting SET amount = 11 WHERE entry_seq = 4 AND position = 1")
    report = verify(journal)
    assert not report.ok
    assert report.first is not None
    assert (report.first.code, report.first.seq) == ("hash_mismatch", 4)
    codes = {problem.code for problem in report.problems}
    assert {"postings_unbalanced", "balance_after_mismatch", "balance_mismatch"} <= codes


def test_an_edited_balance_is_named_with_its_account(journal: Database) -> None:
    tamper(journal, "UPDATE ledger_balance SET balance = 1000 WHERE account = 'owner:2'")
    report = verify(journal)
    assert report.first is not None
    assert (report.first.code, report.first.account, report.first.seq) == (
        "balance_mismatch",
        "owner:2",
        5,
    )


def test_an_edited_metadata_or_time_breaks_the_hash(journal: Database) -> None:
    tamper(journal, "UPDATE journal_entry SET metadata = :m WHERE seq = 3", m='{"x":1}')
    tamper(journal, "UPDATE journal_entry SET created_at = created_at + 1 WHERE seq = 5")
    report = verify(journal)
    assert [(p.code, p.seq) for p in report.problems] == [
        ("hash_mismatch", 3),
        ("hash_mismatch", 5),
    ]


def test_a_deleted_entry_leaves_a_gap_and_a_broken_link(journal: Database) -> None:
    tamper(journal, "DELETE FROM journal_posting WHERE entry_seq = 3")
    tamper(journal, "DELETE FROM journal_entry WHERE seq = 3")
    report = verify(journal)
    assert report.first is not None
    assert (report.first.code, report.first.seq) == ("sequence_gap", 4)
    assert ("hash_link_broken", 4) in [(p.code, p.seq) for p in report.problems]


def test_a_rewrite_that_rehashes_its_own_entry_still_breaks_the_next_link(
    journal: Database,
) -> None:
    # Make entry 3 pay 99 instead of 10, with a consistent hash for entry 3 itself.
    tamper(journal, "UPDATE journal_posting SET amount = -99 WHERE entry_seq = 3 AND position = 0")
    tamper(journal, "UPDATE journal_posting SET amount = 99 WHERE entry_seq = 3 AND position = 1")
    rehash_from(journal, 3, through=3)
    report = verify(journal)
    assert report.first is not None
    assert (report.first.code, report.first.seq) == ("balance_after_mismatch", 3)
    assert ("hash_link_broken", 4) in [(p.code, p.seq) for p in report.problems]


def test_unbalanced_postings_are_named_even_when_every_hash_is_recomputed(
    journal: Database,
) -> None:
    tamper(
        journal,
        "UPDATE journal_posting SET amount = 20, balance_after = 40 "
        "WHERE entry_seq = 5 AND position = 1",
    )
    tamper(journal, "UPDATE ledger_balance SET balance = 40 WHERE account = 'owner:2'")
    rehash_from(journal, 5)
    report = verify(journal)
    assert [(p.code, p.seq) for p in report.problems] == [("postings_unbalanced", 5)]


def test_a_head_that_is_not_the_last_entry_is_named(journal: Database) -> None:
    tamper(journal, "UPDATE journal_head SET seq = 4")
    report = verify(journal)
    assert [p.code for p in report.problems] == ["head_mismatch"]
