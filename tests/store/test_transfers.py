"""Transfers between owners under the three policies, with the spend lock on the sender."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable

import pytest

from milestone.activities.standing import certify_owner
from milestone.clock import ManualClock
from milestone.errors import MilestoneError
from milestone.ledger import MINING_RESERVE, balance_of, owner_account, post_transaction, transfer
from milestone.program.service import create_program
from milestone.registry.owners import create_owner
from milestone.rules.params import get_preset
from milestone.storage import Database
from milestone.store import errors
from milestone.store.spending import spendable_of
from milestone.store.transfers import allow_transfers, transfer_stones

STONE = 10**8
DAY = 86_400


def test_the_default_policy_binds_stones_to_the_account(
    database: Database,
    clock: ManualClock,
    funded_owner: Callable[[int], int],
    make_owner: Callable[[], int],
    snapshot: Callable[[], object],
) -> None:
    sender, recipient = funded_owner(5 * STONE), make_owner()
    before = snapshot()
    with pytest.raises(errors.TransferNotAllowed) as raised, database.transaction() as session:
        transfer_stones(session, clock, sender, recipient, STONE, "t1")
    assert raised.value.code == "transfer_not_allowed"
    assert snapshot() == before


def program_with(database: Database, clock: ManualClock, policy: str) -> tuple[int, int, int]:
    """A program with the given policy and no spend lock; three owners, the first holding 5."""
    params = dataclasses.replace(get_preset("minimal"), transfer_policy=policy, spend_lock_days=0)
    with database.transaction() as session:
        create_program(session, clock, params, genesis=clock.now())
        owners = [create_owner(session, clock).id for _ in range(3)]
        for owner in owners:
            certify_owner(session, clock, owner)
        post_transaction(
            session,
            clock,
            "drop",
            "d1",
            transfer(MINING_RESERVE, owner_account(owners[0]), 5 * STONE),
        )
    return owners[0], owners[1], owners[2]


def balances(database: Database, *owners: int) -> list[int]:
    with database.session() as session:
        return [balance_of(session, owner_account(owner)) for owner in owners]


def test_an_allowlist_allows_the_listed_pairs(database: Database, clock: ManualClock) -> None:
    a, b, c = program_with(database, clock, "allowlist")
    with database.transaction() as session:
        allow_transfers(session, clock, a, b)
    with database.transaction() as session:
        transfer_stones(session, clock, a, b, 2 * STONE, "t1")
        transfer_stones(session, clock, a, b, 2 * STONE, "t1")  # a retry
    with pytest.raises(errors.TransferNotAllowed), database.transaction() as session:
        transfer_stones(session, clock, a, c, STONE, "t2")
    with pytest.raises(errors.TransferNotAllowed), database.transaction() as session:
        transfer_stones(session, clock, b, a, STONE, "t3")  # one way only
    assert balances(database, a, b, c) == [3 * STONE, 2 * STONE, 0]


def test_the_free_policy_allows_anyone_with_spendable_stones(
    database: Database, clock: ManualClock, snapshot: Callable[[], object]
) -> None:
    a, b, c = program_with(database, clock, "free")
    with database.transaction() as session:
        transfer_stones(session, clock, a, c, 5 * STONE, "t1")
    before = snapshot()
    for sender, recipient, amount, key, error in [
        (b, a, STONE, "t2", "insufficient_balance"),
        (c, c, STONE, "t3", "invalid_transfer"),
        (c, a, 0, "t4", "invalid_transfer"),
        (c, a, STONE, "a key", "invalid_idempotency_key"),
    ]:
        with pytest.raises(MilestoneError) as raised, database.transaction() as session:
            transfer_stones(session, clock, sender, recipient, amount, key)
        assert getattr(raised.value, "code", None) == error
    assert snapshot() == before


def test_received_stones_are_locked_at_the_recipient(
    database: Database, clock: ManualClock
) -> None:
    params = dataclasses.replace(get_preset("minimal"), transfer_policy="free")
    with database.transaction() as session:
        create_program(session, clock, params, genesis=clock.now())
        a, b = create_owner(session, clock).id, create_owner(session, clock).id
        certify_owner(session, clock, a)
        certify_owner(session, clock, b)
        post_transaction(
            session, clock, "drop", "d1", transfer(MINING_RESERVE, owner_account(a), 5 * STONE)
        )
    clock.advance(90 * DAY)
    with database.transaction() as session:
        transfer_stones(session, clock, a, b, 5 * STONE, "t1")
    with database.session() as session:
        received = spendable_of(session, clock, b)
    assert (received.balance, received.spendable, received.next_unlock) == (
        5 * STONE,
        0,
        clock.now() + 90 * DAY,
    )
    with pytest.raises(errors.StonesLocked), database.transaction() as session:
        transfer_stones(session, clock, b, a, STONE, "t2")


def test_a_key_reused_for_another_transfer_is_idempotency_key_reused(
    database: Database, clock: ManualClock
) -> None:
    a, b, c = program_with(database, clock, "free")
    with database.transaction() as session:
        transfer_stones(session, clock, a, b, STONE, "t1")
    with database.transaction() as session:
        transfer_stones(session, clock, a, b, STONE, "t1")  # the same request: replayed
    with pytest.raises(errors.IdempotencyKeyReused) as raised, database.transaction() as session:
        transfer_stones(session, clock, a, c, STONE, "t1")  # the same key, another recipient
    assert raised.value.code == "idempotency_key_reused"  # as docs/api.md and the orders say
    assert balances(database, a, b, c) == [4 * STONE, STONE, 0]
