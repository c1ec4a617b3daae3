"""Referrals: codes, registration, the signed delivery confirmation, caps and vesting."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable

import pytest
from nacl.signing import SigningKey

from milestone.activities import errors
from milestone.activities.referrals import (
    REFERRER_REVOKED,
    REWARDED,
    YEARLY_CAP_REACHED,
    DeliveryConfirmation,
    confirm_delivery,
    referral_code_of,
    register_referral,
    vesting_rewards,
)
from milestone.activities.sales import register_sales_system, revoke_sales_system
from milestone.activities.standing import revoke_owner
from milestone.clock import ManualClock
from milestone.ledger import balance_of, owner_account
from milestone.program.service import Program, create_program
from milestone.registry.vin import InvalidVin, synthetic_vin
from milestone.rules.params import get_preset
from milestone.storage import Database

STONE = 10**8
REFERRER_REWARD, BUYER_REWARD = 10 * STONE, 5 * STONE  # the minimal preset
DAY = 86_400


@dataclasses.dataclass
class Sales:
    id: int
    key: SigningKey

    def confirm(
        self, order_id: str, vin: str, buyer: int, delivered_at: int
    ) -> DeliveryConfirmation:
        unsigned = DeliveryConfirmation(order_id, vin, buyer, delivered_at, b"")
        signature = self.key.sign(unsigned.message()).signature
        return dataclasses.replace(unsigned, signature=signature)


@pytest.fixture
def sales(database: Database, clock: ManualClock, program: Program) -> Sales:
    key = SigningKey.generate()
    with database.transaction() as session:
        system, _ = register_sales_system(session, clock, "Shanghai store", bytes(key.verify_key))
    return Sales(system.id, key)


@pytest.fixture
def released(release_budget: Callable[[], int]) -> int:
    return release_budget()


def code_of(database: Database, clock: ManualClock, owner: int) -> str:
    with database.transaction() as session:
        return referral_code_of(session, clock, owner)


def register(database: Database, clock: ManualClock, order_id: str, code: str, buyer: int) -> None:
    with database.transaction() as session:
        register_referral(session, clock, order_id=order_id, code=code, buyer_id=buyer)


def confirm(database: Database, clock: ManualClock, sales: Sales, c: DeliveryConfirmation) -> str:
    with database.transaction() as session:
        referral = confirm_delivery(session, clock, sales.id, c)
        assert referral.referrer_outcome is not None
        return referral.referrer_outcome


def balance(database: Database, owner: int) -> int:
    with database.session() as session:
        return balance_of(session, owner_account(owner))


def test_an_owner_keeps_one_referral_code(
    database: Database, clock: ManualClock, make_owner: Callable[[], int]
) -> None:
    owner = make_owner()
    code = code_of(database, clock, owner)
    assert len(code) == 8 and code == code_of(database, clock, owner)
    assert code != code_of(database, clock, make_owner())


def test_a_confirmed_delivery_rewards_referrer_and_buyer(
    database: Database,
    clock: ManualClock,
    make_owner: Callable[[], int],
    sales: Sales,
    released: int,
) -> None:
    referrer, buyer = make_owner(), make_owner()
    register(database, clock, "SO-1", code_of(database, clock, referrer).lower(), buyer)
    clock.advance(3_600)
    assert (
        confirm(database, clock, sales, sales.confirm("SO-1", synthetic_vin(1), buyer, clock.now()))
        == REWARDED
    )
    assert (balance(database, referrer), balance(database, buyer)) == (
        REFERRER_REWARD,
        BUYER_REWARD,
    )


def test_a_retried_confirmation_pays_nothing_more(
    database: Database,
    clock: ManualClock,
    make_owner: Callable[[], int],
    sales: Sales,
    released: int,
    snapshot: Callable[[], object],
) -> None:
    referrer, buyer = make_owner(), make_owner()
    register(database, clock, "SO-1", code_of(database, clock, referrer), buyer)
    confirmation = sales.confirm("SO-1", synthetic_vin(1), buyer, clock.now())
    confirm(database, clock, sales, confirmation)
    before = snapshot()
    assert confirm(database, clock, sales, confirmation) == REWARDED
    assert snapshot() == before


def test_a_bad_signature_is_refused(
    database: Database,
    clock: ManualClock,
    make_owner: Callable[[], int],
    sales: Sales,
    released: int,
    snapshot: Callable[[], object],
) -> None:
    referrer, buyer = make_owner(), make_owner()
    register(database, clock, "SO-1", code_of(database, clock, referrer), buyer)
    genuine = sales.confirm("SO-1", synthetic_vin(1), buyer, clock.now())
    forged = [
        dataclasses.replace(genuine, buyer_id=referrer),  # signed for someone else
        dataclasses.replace(genuine, delivered_at=genuine.delivered_at - 1),
        dataclasses.replace(genuine, signature=bytes(64)),
        dataclasses.replace(genuine, signature=genuine.signature[:10]),
        Sales(sales.id, SigningKey.generate()).confirm(
            "SO-1", synthetic_vin(1), buyer, clock.now()
        ),
    ]
    before = snapshot()
    for confirmation in forged:
        with pytest.raises(errors.ReferralBadSignature) as raised:
            confirm(database, clock, sales, confirmation)
        assert raised.value.code == "referral_bad_signature"
    assert snapshot() == before


def test_a_confirmation_for_an_unknown_order_is_refused(
    database: Database,
    clock: ManualClock,
    make_owner: Callable[[], int],
    sales: Sales,
    released: int,
    snapshot: Callable[[], object],
) -> None:
    buyer = make_owner()
    before = snapshot()
    with pytest.raises(errors.UnknownOrder) as raised:
        confirm(
            database, clock, sales, sales.confirm("SO-404", synthetic_vin(1), buyer, clock.now())
        )
    assert raised.value.code == "unknown_order"
    assert snapshot() == before


def test_a_vin_is_rewarded_once(
    database: Database,
    clock: ManualClock,
    make_owner: Callable[[], int],
    sales: Sales,
    released: int,
    snapshot: Callable[[], object],
) -> None:
    referrer, buyer = make_owner(), make_owner()
    code = code_of(database, clock, referrer)
    register(database, clock, "SO-1", code, buyer)
    register(database, clock, "SO-2", code, buyer)
    confirm(database, clock, sales, sales.confirm("SO-1", synthetic_vin(1), buyer, clock.now()))
    before = snapshot()
    with pytest.raises(errors.DuplicateDelivery) as raised:
        confirm(database, clock, sales, sales.confirm("SO-2", synthetic_vin(1), buyer, clock.now()))
    assert raised.value.code == "duplicate_delivery"
    with pytest.raises(errors.DuplicateDelivery):  # the same order, delivered as another car
        confirm(database, clock, sales, sales.confirm("SO-1", synthetic_vin(2), buyer, clock.now()))
    assert snapshot() == before


@pytest.mark.parametrize("shared", ["phone", "payment"])
def test_self_referral_is_refused(
    database: Database,
    clock: ManualClock,
    make_owner: Callable[..., int],
    sales: Sales,
    shared: str,
    snapshot: Callable[[], object],
) -> None:
    referrer = make_owner(**{shared: "+8613800000000"})
    second_account = make_owner(**{shared: "+8613800000000"})
    code = code_of(database, clock, referrer)
    before = snapshot()
    for buyer in (referrer, second_account):
        with pytest.raises(errors.SelfReferral) as raised:
            register(database, clock, f"SO-{buyer}", code, buyer)
        assert raised.value.code == "self_referral"
    assert snapshot() == before


def test_a_code_of_a_revoked_owner_is_refused(
    database: Database,
    clock: ManualClock,
    make_owner: Callable[[], int],
    sales: Sales,
    snapshot: Callable[[], object],
) -> None:
    referrer, buyer = make_owner(), make_owner()
    code = code_of(database, clock, referrer)
    with database.transaction() as session:
        revoke_owner(session, clock, referrer, "fraud")
    before = snapshot()
    with pytest.raises(errors.ReferralCodeRevoked) as raised:
        register(database, clock, "SO-1", code, buyer)
    assert raised.value.code == "referral_code_revoked"
    with pytest.raises(errors.UnknownReferralCode):
        register(database, clock, "SO-1", "NOSUCHCD", buyer)
    assert snapshot() == before


def test_an_order_names_one_code(
    database: Database, clock: ManualClock, make_owner: Callable[[], int]
) -> None:
    referrer, buyer = make_owner(), make_owner()
    code = code_of(database, clock, referrer)
    register(database, clock, "SO-1", code, buyer)
    with pytest.raises(errors.DuplicateOrder):
        register(database, clock, "SO-1", code, buyer)
    with pytest.raises(errors.InvalidOrderId):
        register(database, clock, "", code, buyer)


def test_a_referrer_revoked_before_delivery_is_not_paid(
    database: Database,
    clock: ManualClock,
    make_owner: Callable[[], int],
    sales: Sales,
    released: int,
) -> None:
    referrer, buyer = make_owner(), make_owner()
    register(database, clock, "SO-1", code_of(database, clock, referrer), buyer)
    with database.transaction() as session:
        revoke_owner(session, clock, referrer, "fraud")
    outcome = confirm(
        database, clock, sales, sales.confirm("SO-1", synthetic_vin(1), buyer, clock.now())
    )
    assert outcome == REFERRER_REVOKED
    assert (balance(database, referrer), balance(database, buyer)) == (0, BUYER_REWARD)


def test_the_yearly_cap_stops_the_referrer_reward(
    database: Database,
    clock: ManualClock,
    make_owner: Callable[[], int],
    sales: Sales,
    release_budget: Callable[[], int],
) -> None:
    referrer = make_owner()
    code = code_of(database, clock, referrer)
    outcomes = []
    for serial in range(1, 6):  # the minimal preset caps at 3 a year
        release_budget()
        buyer = make_owner()
        register(database, clock, f"SO-{serial}", code, buyer)
        c = sales.confirm(f"SO-{serial}", synthetic_vin(serial), buyer, clock.now())
        outcomes.append(confirm(database, clock, sales, c))
        assert balance(database, buyer) == BUYER_REWARD
        clock.advance(DAY)
    assert outcomes == [REWARDED] * 3 + [YEARLY_CAP_REACHED] * 2
    assert balance(database, referrer) == 3 * REFERRER_REWARD


def test_the_cap_starts_again_in_a_new_year(
    database: Database,
    clock: ManualClock,
    make_owner: Callable[[], int],
    sales: Sales,
    release_budget: Callable[[], int],
    program: Program,
) -> None:
    referrer = make_owner()
    code = code_of(database, clock, referrer)
    for serial in range(1, 5):
        if serial == 4:
            clock.set(program.genesis + 365 * DAY)  # 2027-01-01
        release_budget()
        buyer = make_owner()
        register(database, clock, f"SO-{serial}", code, buyer)
        confirm(
            database,
            clock,
            sales,
            sales.confirm(f"SO-{serial}", synthetic_vin(serial), buyer, clock.now()),
        )
    assert balance(database, referrer) == 4 * REFERRER_REWARD


def test_confirmations_that_do_not_fit_the_order_are_refused(
    database: Database,
    clock: ManualClock,
    make_owner: Callable[[], int],
    sales: Sales,
    released: int,
    snapshot: Callable[[], object],
) -> None:
    referrer, buyer, other = make_owner(), make_owner(), make_owner()
    register(database, clock, "SO-1", code_of(database, clock, referrer), buyer)
    before = snapshot()
    with pytest.raises(errors.BuyerMismatch):
        confirm(database, clock, sales, sales.confirm("SO-1", synthetic_vin(1), other, clock.now()))
    with pytest.raises(errors.DeliveryInFuture):
        confirm(
            database,
            clock,
            sales,
            sales.confirm("SO-1", synthetic_vin(1), buyer, clock.now() + DAY),
        )
    with pytest.raises(InvalidVin):
        confirm(
            database,
            clock,
            sales,
            sales.confirm("SO-1", synthetic_vin(1).lower(), buyer, clock.now()),
        )
    assert snapshot() == before


def test_a_revoked_sales_system_is_not_heard(
    database: Database,
    clock: ManualClock,
    make_owner: Callable[[], int],
    sales: Sales,
    released: int,
) -> None:
    referrer, buyer = make_owner(), make_owner()
    register(database, clock, "SO-1", code_of(database, clock, referrer), buyer)
    with database.transaction() as session:
        revoke_sales_system(session, clock, sales.id)
    with pytest.raises(errors.UnknownSalesSystem):
        confirm(database, clock, sales, sales.confirm("SO-1", synthetic_vin(1), buyer, clock.now()))


def test_with_the_released_budget_spent_the_confirmation_waits(
    database: Database,
    clock: ManualClock,
    make_owner: Callable[[], int],
    sales: Sales,
    exhaust_budget: Callable[[], None],
    snapshot: Callable[[], object],
) -> None:
    referrer, buyer = make_owner(), make_owner()
    register(database, clock, "SO-1", code_of(database, clock, referrer), buyer)
    exhaust_budget()
    before = snapshot()
    with pytest.raises(errors.ActivityBudgetExhausted):
        confirm(database, clock, sales, sales.confirm("SO-1", synthetic_vin(1), buyer, clock.now()))
    assert snapshot() == before


@pytest.fixture
def vesting_program(database: Database, clock: ManualClock) -> Program:
    params = dataclasses.replace(get_preset("minimal"), referral_vesting_days=30)
    with database.transaction() as session:
        return create_program(session, clock, params, genesis=clock.now())


def test_vesting_rewards_are_credited_and_vest_later(
    database: Database,
    clock: ManualClock,
    vesting_program: Program,
) -> None:
    from milestone.activities.budget import release_activity_budget
    from milestone.registry.owners import create_owner

    key = SigningKey.generate()
    with database.transaction() as session:
        release_activity_budget(session, clock, 0, 6_250_000_000)
        referrer, buyer = create_owner(session, clock).id, create_owner(session, clock).id
        system, _ = register_sales_system(session, clock, "store", bytes(key.verify_key))
    sales = Sales(system.id, key)
    register(database, clock, "SO-1", code_of(database, clock, referrer), buyer)
    delivered = clock.now()
    confirm(database, clock, sales, sales.confirm("SO-1", synthetic_vin(1), buyer, delivered))
    assert balance(database, buyer) == BUYER_REWARD
    with database.session() as session:
        vesting = vesting_rewards(session, buyer, clock.now())
        assert [(amount, vests_at) for _, amount, vests_at in vesting] == [
            (BUYER_REWARD, delivered + 30 * DAY)
        ]
        assert vesting_rewards(session, referrer, delivered + 30 * DAY) == []
