"""Creating the program once, with the genesis entry that creates the whole supply."""

from __future__ import annotations

import dataclasses
import threading
from collections.abc import Callable
from typing import Any

import pytest
from sqlalchemy import text

from milestone.clock import ManualClock
from milestone.errors import MilestoneError
from milestone.ledger import (
    SUPPLY,
    SYSTEM_ACCOUNTS,
    balance_of,
    get_entry,
    post_transaction,
    totals,
    transfer,
)
from milestone.program.errors import ProgramAlreadyInitialized, ProgramNotInitialized
from milestone.program.service import Program, create_program, load_program
from milestone.rules.errors import RuleError
from milestone.rules.params import calculate_parameters_hash, get_preset
from milestone.storage import Database

GENESIS = 1_767_225_600


def test_genesis_creates_the_whole_supply_in_the_two_reserves(
    database: Database, program: Program
) -> None:
    parameters = program.parameters
    with database.session() as session:
        genesis = get_entry(session, 1)
        assert (genesis.kind, genesis.idempotency_key, genesis.prev_hash) == (
            "genesis",
            "genesis",
            bytes(32),
        )
        assert genesis.metadata["parameters_hash"] == "0x" + program.parameters_hash.hex()
        assert balance_of(session, SUPPLY) == -parameters.total_supply
        assert balance_of(session, "reserve:mining") == parameters.mining.pool
        assert balance_of(session, "reserve:activity") == parameters.activity.pool
        opened = session.execute(text("SELECT name FROM ledger_account")).scalars()
        assert sorted(opened) == sorted(SYSTEM_ACCOUNTS)
        assert totals(session).reconciles


def test_the_program_reads_back_as_it_was_created(database: Database, program: Program) -> None:
    with database.session() as session:
        loaded = load_program(session)
    assert loaded == program
    assert loaded.parameters == get_preset("minimal")
    assert loaded.parameters_hash == calculate_parameters_hash(get_preset("minimal"))
    assert len(loaded.pseudonym_salt) == 32


def test_each_program_draws_its_own_pseudonym_salt(
    database: Database, program: Program, tmp_path: Any
) -> None:
    other = Database.from_url(f"sqlite:///{tmp_path / 'other.db'}")
    from milestone.storage import migrate

    migrate(other.engine)
    with other.transaction() as session:
        second = create_program(
            session, ManualClock(GENESIS), get_preset("minimal"), genesis=GENESIS
        )
    other.dispose()
    assert second.pseudonym_salt != program.pseudonym_salt


def test_a_second_init_is_refused_and_changes_nothing(
    database: Database, clock: ManualClock, program: Program, snapshot: Callable[[], Any]
) -> None:
    before = snapshot()
    with database.transaction() as session, pytest.raises(ProgramAlreadyInitialized) as refused:
        create_program(session, clock, get_preset("im-csop"), genesis=GENESIS)
    assert refused.value.code == "program_already_initialized"
    assert snapshot() == before


def test_two_inits_racing_leave_exactly_one_program(database: Database) -> None:
    outcomes: list[str] = []
    start = threading.Barrier(2)

    def init(preset: str) -> None:
        start.wait()
        try:
            database.run(
                lambda s: create_program(
                    s, ManualClock(GENESIS), get_preset(preset), genesis=GENESIS
                )
            )
            outcomes.append(preset)
        except ProgramAlreadyInitialized:
            outcomes.append("refused")

    threads = [threading.Thread(target=init, args=(p,)) for p in ("minimal", "im-csop")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes)[-1] == "refused" and len(outcomes) == 2
    with database.session() as session:
        assert load_program(session).preset in outcomes
        assert get_entry(session, 1).kind == "genesis"
        assert totals(session).issued == load_program(session).parameters.total_supply


@pytest.mark.parametrize(
    ("code", "genesis", "change"),
    [
        ("genesis_not_utc_midnight", GENESIS + 3_600, {}),
        ("genesis_not_utc_midnight", -86_400, {}),
        ("supply_mismatch", GENESIS, {"total_supply": 1}),
        ("amount_not_positive", GENESIS, {"drop_size": 0}),
    ],
)
def test_bad_genesis_or_parameters_are_refused_before_anything_is_written(
    database: Database,
    clock: ManualClock,
    snapshot: Callable[[], Any],
    code: str,
    genesis: int,
    change: dict[str, int],
) -> None:
    before = snapshot()
    parameters = dataclasses.replace(get_preset("minimal"), **change)
    with database.transaction() as session, pytest.raises(RuleError) as refused:
        create_program(session, clock, parameters, genesis=genesis)
    assert refused.value.code == code
    assert snapshot() == before


def test_a_salt_of_the_wrong_size_is_refused(database: Database, clock: ManualClock) -> None:
    with database.transaction() as session, pytest.raises(MilestoneError) as refused:
        create_program(session, clock, get_preset("minimal"), genesis=GENESIS, pseudonym_salt=b"x")
    assert refused.value.code == "invalid_pseudonym_salt"


def test_nothing_reads_or_posts_before_init(database: Database, clock: ManualClock) -> None:
    with database.transaction() as session:
        with pytest.raises(ProgramNotInitialized):
            load_program(session)
        with pytest.raises(ProgramNotInitialized) as refused:
            post_transaction(session, clock, "gift", "g", transfer("reserve:mining", "owner:1", 1))
    assert refused.value.code == "program_not_initialized"
