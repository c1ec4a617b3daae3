"""`compare_with_heads`: the journal against the heads a chain committed, one per epoch."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from sqlalchemy import text

from milestone.clock import ManualClock
from milestone.ledger import post_transaction, transfer, verify_ledger
from milestone.ledger.anchored import AnchorReport, compare_with_heads
from milestone.storage import Database

from .forgery import rehash_from, tamper

DAY = 86_400


@pytest.fixture
def journal(database: Database, clock: ManualClock, fund: Callable[[str, int], None]) -> Database:
    """Genesis and a grant (entries 1, 2) in epoch 0, then two gifts a day: entries 3 and 4
    in epoch 1, 5 and 6 in epoch 2."""
    fund("owner:1", 100)
    with database.transaction() as session:
        for day in range(2):
            clock.advance(DAY)
            for n in range(2):
                post_transaction(
                    session, clock, "gift", f"g{day}{n}", transfer("owner:1", "owner:2", 10)
                )
    return database


def hash_of(database: Database, seq: int) -> bytes:
    with database.engine.connect() as connection:
        return bytes(
            connection.execute(
                text("SELECT hash FROM journal_entry WHERE seq = :s"), {"s": seq}
            ).scalar_one()
        )


def compare(database: Database, heads: list[bytes]) -> AnchorReport:
    with database.snapshot() as session:
        return compare_with_heads(session, heads)


def committed(database: Database) -> list[bytes]:
    """What a chain committed for epochs 0 to 2: the heads at entries 2, 4 and 6."""
    return [hash_of(database, 2), hash_of(database, 4), hash_of(database, 6)]


def test_a_journal_holding_every_committed_head_matches_the_chain(journal: Database) -> None:
    report = compare(journal, committed(journal))
    assert report.ok, report.to_dict()
    assert (report.epochs, report.anchored_seq) == (3, 6)
    assert compare(journal, []).ok  # nothing finalized yet: nothing to compare


def test_a_rewrite_with_every_hash_recomputed_is_named_against_the_chain(
    journal: Database,
) -> None:
    heads = committed(journal)
    # Double the first gift of epoch 2 (entry 5) and recompute everything after it, balances
    # included: the journal is consistent with itself again.
    tamper(journal, "UPDATE journal_posting SET amount = amount * 2 WHERE entry_seq = 5")
    for account, delta in (("owner:1", -10), ("owner:2", 10)):
        tamper(
            journal,
            "UPDATE journal_posting SET balance_after = balance_after + :d "
            "WHERE account = :a AND entry_seq >= 5",
            d=delta, a=account,
        )  # fmt: skip
        tamper(
            journal,
            "UPDATE ledger_balance SET balance = balance + :d WHERE account = :a",
            d=delta, a=account,
        )  # fmt: skip
    rehash_from(journal, 5)
    with journal.snapshot() as session:
        assert verify_ledger(session).ok  # the journal alone cannot tell
    report = compare(journal, heads)
    assert [(p.code, p.seq) for p in report.problems] == [("journal_differs_from_chain", 5)]
    assert "epoch 2" in report.problems[0].message


def test_a_replaced_head_is_named_from_the_entry_after_the_last_matching_epoch(
    journal: Database,
) -> None:
    heads = committed(journal)
    tamper(journal, "UPDATE journal_entry SET metadata = :m WHERE seq = 4", m='{"note":"x"}')
    rehash_from(journal, 4)
    report = compare(journal, heads)
    assert [(p.code, p.seq) for p in report.problems] == [("journal_differs_from_chain", 3)]
    assert "epoch 1" in report.problems[0].message


def test_heads_out_of_order_do_not_match(journal: Database) -> None:
    report = compare(journal, committed(journal)[::-1])
    assert [(p.code, p.seq) for p in report.problems] == [("journal_differs_from_chain", 7)]


def test_an_entry_stamped_with_a_finalized_epoch_after_the_last_head_is_named(
    journal: Database,
) -> None:
    # The chain finalized epoch 1 with its head at entry 3: entry 4, stamped with epoch 1,
    # came after the head committed for it.
    report = compare(journal, [hash_of(journal, 2), hash_of(journal, 3)])
    assert [(p.code, p.seq) for p in report.problems] == [("entry_after_finalization", 4)]
    # Entries of an epoch the chain has not finalized are simply not anchored yet.
    assert compare(journal, [hash_of(journal, 2)]).ok
