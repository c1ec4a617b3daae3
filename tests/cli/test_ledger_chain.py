"""`milestone ledger verify` against the heads committed on-chain, on a settled program.

A forger with the database doubles one check-in and recomputes every later hash and balance
with the documented encoding: the journal is consistent with itself, and only the heads the
Program committed show it was rewritten.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import select
from typer.testing import CliRunner

from epochs.conftest import DAY, Fleet, make_settlement, open_chain
from ledger.forgery import rehash_from, tamper
from milestone.activities.checkin import CHECKIN_KIND, check_in
from milestone.cli.main import app
from milestone.clock import ManualClock
from milestone.epochs.models import EpochRecord
from milestone.epochs.settle import settle
from milestone.ledger import verify_ledger
from milestone.ledger.models import JournalEntryRecord, PostingRecord
from milestone.program.service import Program
from milestone.storage import Database

runner = CliRunner()
EPOCHS = 3


def settle_with_checkins(
    database: Database, clock: ManualClock, program: Program, data_dir: Path
) -> None:
    """Three epochs of driving and daily check-ins (from epoch 1), each settled once it closes."""
    fleet = Fleet(database, clock)
    fleet.enroll(3, seed=5)
    with open_chain(data_dir) as chain:
        settlement = make_settlement(database, clock, program, data_dir, chain)
        for day in range(EPOCHS + 1):
            start = program.genesis + day * DAY
            clock.set(max(clock.now(), start + settlement.grace_seconds))
            settle(settlement)
            if day == EPOCHS:
                break
            clock.set(start + 2 * 3_600)
            if day >= 1:  # the activity budget is released as epochs settle
                with database.transaction() as session:
                    for owner in fleet.owners:
                        check_in(session, clock, owner)
            fleet.drive(start, 1)


@pytest.fixture
def settled(database: Database, clock: ManualClock, program: Program, tmp_path: Path) -> Path:
    """The data directory of a program settled through three epochs with check-ins."""
    data_dir = tmp_path / "data"
    settle_with_checkins(database, clock, program, data_dir)
    return data_dir


def verify(data_dir: Path, database: Database) -> tuple[int, str]:
    url = database.engine.url.render_as_string(hide_password=False)
    result = runner.invoke(
        app, ["ledger", "verify", "--data-dir", str(data_dir), "--database-url", url]
    )
    return result.exit_code, result.output


def double_checkin(database: Database, seq: int) -> None:
    """Pay the check-in at `seq` twice over, and carry it through every later balance."""
    with database.session() as session:
        postings = session.execute(
            select(PostingRecord.account, PostingRecord.amount).where(
                PostingRecord.entry_seq == seq
            )
        ).all()
    tamper(database, "UPDATE journal_posting SET amount = amount * 2 WHERE entry_seq = :s", s=seq)
    for account, amount in postings:
        tamper(
            database,
            "UPDATE journal_posting SET balance_after = balance_after + :d "
            "WHERE account = :a AND asset = 'STONE' AND entry_seq >= :s",
            d=amount, a=account, s=seq,
        )  # fmt: skip
        tamper(
            database,
            "UPDATE ledger_balance SET balance = balance + :d "
            "WHERE account = :a AND asset = 'STONE'",
            d=amount, a=account,
        )  # fmt: skip
    rehash_from(database, seq)


def test_a_doubled_checkin_with_every_hash_recomputed_is_caught_against_the_chain(
    database: Database, settled: Path
) -> None:
    code, output = verify(settled, database)
    assert code == 0, output
    assert f"the heads of epochs 0 to {EPOCHS - 1} are entries of this journal" in output

    with database.session() as session:
        checkin = session.execute(
            select(JournalEntryRecord.seq)
            .where(JournalEntryRecord.kind == CHECKIN_KIND, JournalEntryRecord.epoch == 1)
            .order_by(JournalEntryRecord.seq)
            .limit(1)
        ).scalar_one()
        vouched = session.get(EpochRecord, 0)
        assert vouched is not None and vouched.journal_seq is not None
        last_vouched = vouched.journal_seq
    double_checkin(database, checkin)
    with database.snapshot() as session:
        assert verify_ledger(session).ok  # consistent with itself: only the chain can tell

    code, output = verify(settled, database)
    assert code == 1
    assert "[journal_differs_from_chain]" in output
    assert "for epoch 1" in output
    named = int(output.split("ledger BROKEN at entry ")[1].split(":")[0])
    # Epoch 0's head still vouches for everything up to it; the rewrite is named no later than
    # the doubled check-in itself.
    assert last_vouched < named <= checkin


def test_a_replaced_journal_head_is_caught_against_the_chain(
    database: Database, settled: Path
) -> None:
    with database.session() as session:
        head = session.get(EpochRecord, EPOCHS - 1)
        assert head is not None and head.journal_seq is not None
        seq = head.journal_seq
    tamper(database, "UPDATE journal_entry SET metadata = :m WHERE seq = :s", m='{"x":1}', s=seq)
    rehash_from(database, seq)
    code, output = verify(settled, database)
    assert code == 1
    assert "[journal_differs_from_chain]" in output
    assert f"for epoch {EPOCHS - 1}" in output
