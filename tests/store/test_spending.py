"""The spend lock as an owner sees it: balance, spendable part, next unlock; vesting rewards."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable

import pytest
from nacl.signing import SigningKey

from milestone.activities.budget import release_activity_budget
from milestone.activities.referrals import (
    DeliveryConfirmation,
    confirm_delivery,
    referral_code_of,
    register_referral,
)
from milestone.activities.sales import register_sales_system
from milestone.activities.standing import certify_owner
from milestone.clock import ManualClock
from milestone.program.service import create_program
from milestone.registry.owners import create_owner
from milestone.registry.vin import synthetic_vin
from milestone.rules.params import get_preset
from milestone.storage import Database
from milestone.store.errors import StonesLocked
from milestone.store.spending import require_spendable, spendable_of

STONE = 10**8
DAY = 86_400


def test_the_spendable_part_grows_as_earnings_unlock(
    database: Database,
    clock: ManualClock,
    make_owner: Callable[[], int],
    credit: Callable[[int, int], None],
) -> None:
    owner = make_owner()
    credit(owner, 2 * STONE)
    with database.session() as session:
        uncertified = spendable_of(session, clock, owner)
    assert (uncertified.spendable, uncertified.certified, uncertified.next_unlock) == (
        0,
        False,
        None,
    )
    with database.transaction() as session:
        certify_owner(session, clock, owner)
    first = clock.now()
    clock.advance(10 * DAY)
    credit(owner, 3 * STONE)
    with database.session() as session:
        now = spendable_of(session, clock, owner)
    assert (now.balance, now.spendable, now.locked) == (5 * STONE, 0, 5 * STONE)
    assert now.next_unlock == first + 90 * DAY
    clock.set(first + 90 * DAY)
    with database.session() as session:
        later = spendable_of(session, clock, owner)
        assert (later.spendable, later.next_unlock) == (2 * STONE, first + 100 * DAY)
        require_spendable(session, clock, owner, 2 * STONE)
        with pytest.raises(StonesLocked):
            require_spendable(session, clock, owner, 2 * STONE + 1)


def test_a_vesting_referral_reward_waits_for_its_vesting(
    database: Database, clock: ManualClock
) -> None:
    params = dataclasses.replace(get_preset("minimal"), spend_lock_days=0, referral_vesting_days=30)
    key = SigningKey.generate()
    with database.transaction() as session:
        create_program(session, clock, params, genesis=clock.now())
        release_activity_budget(session, clock, 0, 6_250_000_000)
        referrer, buyer = create_owner(session, clock).id, create_owner(session, clock).id
        certify_owner(session, clock, buyer)
        system, _ = register_sales_system(session, clock, "store", bytes(key.verify_key))
        register_referral(
            session,
            clock,
            order_id="SO-1",
            code=referral_code_of(session, clock, referrer),
            buyer_id=buyer,
        )
    delivered = clock.now()
    unsigned = DeliveryConfirmation("SO-1", synthetic_vin(1), buyer, delivered, b"")
    signed = dataclasses.replace(unsigned, signature=key.sign(unsigned.message()).signature)
    with database.transaction() as session:
        confirm_delivery(session, clock, system.id, signed)
    clock.advance(DAY)
    with database.session() as session:
        vesting = spendable_of(session, clock, buyer)
        assert (vesting.balance, vesting.spendable) == (5 * STONE, 0)
        assert vesting.next_unlock == delivered + 30 * DAY
    clock.set(delivered + 30 * DAY)
    with database.session() as session:
        assert spendable_of(session, clock, buyer).spendable == 5 * STONE
