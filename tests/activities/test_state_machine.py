"""A hypothesis state machine over check-ins, referrals, campaigns, orders and refunds.

The machine drives the real services on a real database and keeps a model of what every owner,
the activity budget, each campaign and the merchant should hold. After every step: every stone
is accounted for (conservation), what the activity budget paid out never exceeds what was
released, and each balance equals the model's, so a step repeated with its key (a retry) or a
delivery confirmed twice would show up as a payment the model did not make.
"""

from __future__ import annotations

import dataclasses
import shutil
import tempfile
from collections import Counter, defaultdict
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from hypothesis import settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    initialize,
    invariant,
    rule,
    run_state_machine_as_test,
)
from nacl.signing import SigningKey
from sqlalchemy import select
from sqlalchemy.orm import Session

from milestone.activities.budget import release_activity_budget
from milestone.activities.campaigns import close_campaign, confirm_participation, create_campaign
from milestone.activities.checkin import check_in
from milestone.activities.models import ActivityRelease
from milestone.activities.referrals import (
    DeliveryConfirmation,
    confirm_delivery,
    referral_code_of,
    register_referral,
)
from milestone.activities.sales import register_sales_system
from milestone.clock import ManualClock
from milestone.epochs.inputs import activity_paid_through
from milestone.errors import MilestoneError
from milestone.ledger import (
    ACTIVITY_BUDGET,
    BURNED,
    MINING_RESERVE,
    balance_of,
    campaign_account,
    merchant_account,
    owner_account,
    post_transaction,
    totals,
    transfer,
    verify_ledger,
)
from milestone.program.service import create_program
from milestone.registry.owners import create_owner
from milestone.registry.vin import synthetic_vin
from milestone.rules.activities import calculate_checkin_reward
from milestone.rules.params import EmissionSchedule, get_preset
from milestone.rules.schedule import calculate_epoch_budget
from milestone.storage import Database
from milestone.store.merchants import add_item, register_merchant
from milestone.store.models import CatalogueItem
from milestone.store.orders import (
    Actor,
    cancel_order,
    confirm_order,
    fulfil_order,
    get_order,
    place_order,
    refund_order,
)

GENESIS = 1_767_225_600
STONE = 10**8
HOUR = 3_600
OWNERS = 4
# No spend lock here: the lock has its own tests, and the model stays about money.
# A tight activity budget (8 stones a day, halving every 4 days) and dear check-ins (3 to 6
# stones) so that the budget runs out often.
PARAMS = dataclasses.replace(
    get_preset("minimal"),
    spend_lock_days=0,
    spend_requires_certification=False,
    activity=EmissionSchedule(500 * STONE, 8 * STONE, 4),
    checkin_base_reward=3 * STONE,
    checkin_streak_bonus=STONE,
    checkin_streak_cap=3,
)
PRICES = (STONE, 3 * STONE // 10)
STOCKS = (3, None)

owner_index = st.integers(0, OWNERS - 1)
keys = st.sampled_from(["k0", "k1", "k2", "k3"])


@dataclasses.dataclass
class CampaignModel:
    id: int
    remaining: int
    reward: int
    cap: int
    ends_at: int
    closed: bool = False
    proofs: dict[str, int] = dataclasses.field(default_factory=dict)
    count: dict[int, int] = dataclasses.field(default_factory=lambda: defaultdict(int))


@dataclasses.dataclass
class OrderModel:
    id: int
    owner: int
    item: int
    quantity: int
    stones: int
    status: str = "placed"
    steps: dict[str, str] = dataclasses.field(default_factory=dict)


STEP_FROM = {
    "confirm": ({"placed"}, "confirmed"),
    "fulfil": ({"placed", "confirmed"}, "fulfilled"),
    "cancel": ({"placed"}, "cancelled"),
    "refund": ({"placed", "confirmed"}, "refunded"),
}


class ActivityAndStoreMachine(RuleBasedStateMachine):
    template: Path
    workdir: Path
    outcomes: Counter[str]

    def __init__(self) -> None:
        super().__init__()
        path = self.workdir / f"machine-{id(self)}.db"
        shutil.copyfile(self.template, path)
        self.database = Database.from_url(f"sqlite:///{path}")
        self.clock = ManualClock(GENESIS)
        self.sales_key = SigningKey.generate()

    @initialize()
    def set_up(self) -> None:
        with self.database.transaction() as session:
            create_program(session, self.clock, PARAMS, genesis=GENESIS)
            self.owners = [create_owner(session, self.clock).id for _ in range(OWNERS)]
            self.codes = [referral_code_of(session, self.clock, owner) for owner in self.owners]
            system, _ = register_sales_system(
                session, self.clock, "sales", bytes(self.sales_key.verify_key)
            )
            self.sales_id = system.id
            merchant, _ = register_merchant(session, self.clock, "shop")
            self.merchant = merchant.id
            self.items = [
                add_item(
                    session,
                    self.clock,
                    merchant.id,
                    sku=f"S{i}",
                    title="item",
                    price=price,
                    stock=stock,
                ).id
                for i, (price, stock) in enumerate(zip(PRICES, STOCKS, strict=True))
            ]
        self.stock = dict(zip(self.items, STOCKS, strict=True))
        self.price = dict(zip(self.items, PRICES, strict=True))
        self.balances = dict.fromkeys(self.owners, 0)
        self.released = 0
        self.last_released = -1
        self.mined = 0
        self.drops = 0
        self.budget = 0
        self.paid_out = 0
        self.held = 0
        self.burned = 0
        self.last_checkin: dict[int, tuple[int, int]] = {}
        self.referrals: dict[str, tuple[int, int]] = {}
        self.delivered: dict[str, str] = {}  # order id -> VIN
        self.rewarded_referrals: dict[int, int] = defaultdict(int)
        self.campaigns: list[CampaignModel] = []
        self.orders: dict[tuple[int, str], OrderModel] = {}
        self.release()

    def teardown(self) -> None:
        if hasattr(self, "owners"):
            with self.database.snapshot() as session:
                report = verify_ledger(session)
            assert report.ok, report.problems
        self.database.dispose()

    @property
    def day(self) -> int:
        return (self.clock.now() - GENESIS) // 86_400

    def attempt(
        self,
        label: str,
        work: Callable[[Session], Any],
        expect_error: str | None,
        retry: bool = False,
    ) -> Any:
        """Run one unit of work; the model says whether it must fail, and with which code."""
        self.outcomes[f"{label}:{'retry' if retry else expect_error or 'paid'}"] += 1
        try:
            with self.database.transaction() as session:
                result = work(session)
        except MilestoneError as error:
            assert expect_error == error.code, f"expected {expect_error}, got {error.code}: {error}"
            return None
        assert expect_error is None, f"expected {expect_error}, the step succeeded"
        return result

    @rule(hours=st.integers(1, 30), release=st.booleans())
    def advance(self, hours: int, release: bool) -> None:
        self.clock.advance(hours * HOUR)
        if release:
            self.release()

    def release(self) -> None:
        amount = calculate_epoch_budget(PARAMS.activity, self.day)
        with self.database.session() as session:
            again = session.get(ActivityRelease, self.day) is not None
        self.attempt(
            "release",
            lambda s: release_activity_budget(s, self.clock, self.day, amount),
            None,
            again,
        )
        if not again:
            self.released += amount
            self.budget += amount
            self.last_released = max(self.last_released, self.day)

    def opening(self) -> int:
        """What paying or reserving releases first: every epoch opened since the last release."""
        return sum(
            calculate_epoch_budget(PARAMS.activity, day)
            for day in range(self.last_released + 1, self.day + 1)
        )

    def open_epochs(self) -> None:
        amount = self.opening()
        self.released += amount
        self.budget += amount
        self.last_released = max(self.last_released, self.day)

    @rule(who=owner_index, stones=st.integers(1, 4))
    def mine(self, who: int, stones: int) -> None:
        """Mined stones arrive, as settlement's drops will, from the mining reserve."""
        owner = self.owners[who]
        self.drops += 1
        key = f"drop-{self.drops}"
        self.attempt(
            "mine",
            lambda s: post_transaction(
                s,
                self.clock,
                "drop",
                key,
                transfer(MINING_RESERVE, owner_account(owner), stones * STONE),
            ),
            None,
        )
        self.balances[owner] += stones * STONE
        self.mined += stones * STONE

    @rule(who=owner_index)
    def check_in(self, who: int) -> None:
        owner = self.owners[who]
        last = self.last_checkin.get(owner)
        streak = 1 if last is None or last[0] < self.day - 1 else last[1] + 1
        reward = calculate_checkin_reward(
            streak,
            PARAMS.checkin_base_reward,
            PARAMS.checkin_streak_bonus,
            PARAMS.checkin_streak_cap,
        )
        if last is not None and last[0] == self.day:
            expected = "already_checked_in"
        elif reward > self.budget + self.opening():
            expected = "activity_budget_exhausted"
        else:
            expected = None
        self.attempt("check_in", lambda s: check_in(s, self.clock, owner), expected)
        if expected is None:
            self.open_epochs()
            self.last_checkin[owner] = (self.day, streak)
            self.pay(owner, reward)

    def pay(self, owner: int, amount: int) -> None:
        self.balances[owner] += amount
        self.budget -= amount
        self.paid_out += amount

    @rule(referrer=owner_index, buyer=owner_index, order=st.integers(0, 4))
    def register_referral(self, referrer: int, buyer: int, order: int) -> None:
        order_id = f"SO-{order}"
        if referrer == buyer:
            expected: str | None = "self_referral"
        elif order_id in self.referrals:
            expected = "duplicate_order"
        else:
            expected = None
        self.attempt(
            "register",
            lambda s: register_referral(
                s,
                self.clock,
                order_id=order_id,
                code=self.codes[referrer],
                buyer_id=self.owners[buyer],
            ),
            expected,
        )
        if expected is None:
            self.referrals[order_id] = (self.owners[referrer], self.owners[buyer])

    @rule(data=st.data(), serial=st.integers(1, 4))
    def confirm_delivery(self, data: st.DataObject, serial: int) -> None:
        registered = sorted(self.referrals)
        order_id = data.draw(st.sampled_from([*registered, *registered, "SO-404"]))
        vin = synthetic_vin(serial)
        referral = self.referrals.get(order_id)
        buyer = referral[1] if referral else self.owners[0]
        unsigned = DeliveryConfirmation(order_id, vin, buyer, self.clock.now(), b"")
        signed = dataclasses.replace(
            unsigned, signature=self.sales_key.sign(unsigned.message()).signature
        )
        referrer_reward = 0
        if referral is not None:
            within_cap = self.rewarded_referrals[referral[0]] < PARAMS.referral_yearly_cap
            referrer_reward = PARAMS.referral_referrer_reward if within_cap else 0
        retry = self.delivered.get(order_id) == vin
        if referral is None:
            expected: str | None = "unknown_order"
        elif retry:
            expected = None
        elif order_id in self.delivered or vin in self.delivered.values():
            expected = "duplicate_delivery"
        elif PARAMS.referral_buyer_reward + referrer_reward > self.budget + self.opening():
            expected = "activity_budget_exhausted"
        else:
            expected = None
        self.attempt(
            "delivery",
            lambda s: confirm_delivery(s, self.clock, self.sales_id, signed),
            expected,
            retry,
        )
        if expected is None and not retry:
            assert referral is not None
            self.open_epochs()
            self.delivered[order_id] = vin
            self.pay(referral[1], PARAMS.referral_buyer_reward)
            if referrer_reward:
                self.rewarded_referrals[referral[0]] += 1
                self.pay(referral[0], referrer_reward)

    @rule(budget=st.integers(1, 8), reward=st.integers(1, 3), cap=st.integers(1, 2))
    def create_campaign(self, budget: int, reward: int, cap: int) -> None:
        if sum(not c.closed for c in self.campaigns) >= 2:
            return
        budget, reward = budget * STONE, reward * STONE
        if reward > budget:
            expected: str | None = "invalid_campaign"
        elif budget > self.budget + self.opening():
            expected = "campaign_budget_exceeds_released"
        else:
            expected = None
        now = self.clock.now()
        campaign = self.attempt(
            "campaign",
            lambda s: create_campaign(
                s,
                self.clock,
                name=f"c{len(self.campaigns)}-{now}",
                budget=budget,
                reward=reward,
                per_owner_cap=cap,
                proof="operator",
                starts_at=now,
                ends_at=now + 72 * HOUR,
            ),
            expected,
        )
        if expected is None:
            assert campaign is not None
            self.open_epochs()
            self.campaigns.append(CampaignModel(campaign.id, budget, reward, cap, now + 72 * HOUR))
            self.budget -= budget

    @rule(data=st.data(), who=owner_index, reference=keys)
    def participate(self, data: st.DataObject, who: int, reference: str) -> None:
        if not self.campaigns:
            return
        campaign = data.draw(st.sampled_from(self.campaigns))
        owner = self.owners[who]
        earlier = campaign.proofs.get(reference)
        if earlier is not None:
            expected: str | None = None if earlier == owner else "duplicate_participation"
        elif campaign.closed or self.clock.now() >= campaign.ends_at:
            expected = "campaign_not_active"
        elif campaign.count[owner] >= campaign.cap:
            expected = "campaign_cap_reached"
        elif campaign.remaining < campaign.reward:
            expected = "campaign_exhausted"
        else:
            expected = None
        self.attempt(
            "participate",
            lambda s: confirm_participation(s, self.clock, campaign.id, owner, reference),
            expected,
            earlier == owner,
        )
        if expected is None and earlier is None:
            campaign.proofs[reference] = owner
            campaign.count[owner] += 1
            campaign.remaining -= campaign.reward
            self.balances[owner] += campaign.reward
            self.paid_out += campaign.reward

    @rule(data=st.data())
    def close(self, data: st.DataObject) -> None:
        if not self.campaigns:
            return
        campaign = data.draw(st.sampled_from(self.campaigns))
        self.attempt(
            "close", lambda s: close_campaign(s, self.clock, campaign.id), None, campaign.closed
        )
        if not campaign.closed:
            campaign.closed = True
            self.budget += campaign.remaining
            campaign.remaining = 0

    @rule(who=owner_index, item=st.integers(0, 1), quantity=st.integers(1, 3), key=keys)
    def place(self, who: int, item: int, quantity: int, key: str) -> None:
        owner, item_id = self.owners[who], self.items[item]
        earlier = self.orders.get((owner, key))
        stones = self.price[item_id] * quantity
        stock = self.stock[item_id]
        if earlier is not None:
            same = (earlier.item, earlier.quantity) == (item_id, quantity)
            expected: str | None = None if same else "idempotency_key_reused"
        elif stock is not None and stock < quantity:
            expected = "out_of_stock"
        elif stones > self.balances[owner]:
            expected = "insufficient_balance"
        else:
            expected = None
        order = self.attempt(
            "place",
            lambda s: place_order(s, self.clock, owner, item_id, quantity, key),
            expected,
            earlier is not None and expected is None,
        )
        if expected is None and earlier is None:
            assert order is not None
            self.orders[(owner, key)] = OrderModel(order.id, owner, item_id, quantity, stones)
            self.balances[owner] -= stones
            self.held += stones
            if stock is not None:
                self.stock[item_id] = stock - quantity

    @rule(data=st.data(), step=st.sampled_from(sorted(STEP_FROM)), key=keys)
    def order_step(self, data: st.DataObject, step: str, key: str) -> None:
        if not self.orders:
            return
        order = data.draw(st.sampled_from(sorted(self.orders.values(), key=lambda o: o.id)))
        allowed, status = STEP_FROM[step]
        taken = order.steps.get(step)
        if taken is not None:
            expected: str | None = None if taken == key else "idempotency_key_reused"
        elif order.status in allowed:
            expected = None
        elif order.status == "fulfilled" and step in ("cancel", "refund"):
            expected = "refund_after_fulfilment"
        else:
            expected = "order_step_conflict"
        work = {
            "confirm": lambda s: confirm_order(s, self.clock, self.merchant, order.id, key),
            "fulfil": lambda s: fulfil_order(
                s, self.clock, self.merchant, order.id, key, get_order(s, order.id).pickup_code
            ),
            "cancel": lambda s: cancel_order(
                s, self.clock, Actor(owner_id=order.owner), order.id, key
            ),
            "refund": lambda s: refund_order(s, self.clock, self.merchant, order.id, key),
        }[step]
        self.attempt(step, work, expected, taken is not None and expected is None)
        if expected is None and taken is None:
            order.steps[step] = key
            order.status = status
            if status == "fulfilled":
                self.held -= order.stones
                self.burned += order.stones
            elif status in ("cancelled", "refunded"):
                self.held -= order.stones
                self.balances[order.owner] += order.stones
                if self.stock[order.item] is not None:
                    self.stock[order.item] += order.quantity

    @invariant()
    def stones_are_conserved_and_match_the_model(self) -> None:
        if not hasattr(self, "owners"):
            return
        with self.database.session() as session:
            t = totals(session)
            assert t.reconciles and t.issued == PARAMS.total_supply
            assert t.activity_reserve == PARAMS.activity.pool - self.released
            assert t.mining_reserve == PARAMS.mining.pool - self.mined
            # The activity budget never pays out more than was released.
            campaigns = sum(balance_of(session, campaign_account(c.id)) for c in self.campaigns)
            budget = balance_of(session, ACTIVITY_BUDGET)
            assert budget + campaigns + self.paid_out == self.released
            # What settlement commits on-chain as activity paid is exactly the model's payouts.
            assert activity_paid_through(session, self.day) == self.paid_out <= self.released
            assert (budget, campaigns) == (self.budget, sum(c.remaining for c in self.campaigns))
            # Nothing paid (or refunded) twice: every owner holds what the model says.
            assert {o: balance_of(session, owner_account(o)) for o in self.owners} == self.balances
            assert balance_of(session, merchant_account(self.merchant)) == self.held
            assert balance_of(session, BURNED) == self.burned

    @invariant()
    def stock_matches_the_model(self) -> None:
        if not hasattr(self, "owners"):
            return
        with self.database.session() as session:
            rows = session.execute(select(CatalogueItem.id, CatalogueItem.stock))
            stock = {item_id: left for item_id, left in rows}
        assert stock == self.stock


@pytest.mark.slow
def test_activities_and_the_store_against_a_model(sqlite_template: Path, tmp_path: Path) -> None:
    # Hundreds of small commits per example: on tmpfs they skip the disk's fsync.
    shm = Path("/dev/shm")
    workdir = Path(tempfile.mkdtemp(dir=shm)) if shm.is_dir() else tmp_path
    outcomes: Counter[str] = Counter()
    machine = type(
        "Machine",
        (ActivityAndStoreMachine,),
        {"template": sqlite_template, "workdir": workdir, "outcomes": outcomes},
    )
    try:
        run_state_machine_as_test(
            machine,
            settings=settings(
                max_examples=30, stateful_step_count=80, deadline=None, derandomize=True
            ),
        )
    finally:
        if workdir != tmp_path:
            shutil.rmtree(workdir)
    # The machine really went places: paid, refused and retried along every path.
    for outcome in (
        "check_in:paid", "check_in:already_checked_in", "check_in:activity_budget_exhausted",
        "delivery:paid", "delivery:retry", "delivery:duplicate_delivery", "participate:paid",
        "participate:retry", "participate:campaign_exhausted", "place:paid", "place:retry",
        "place:insufficient_balance", "fulfil:paid", "refund:paid", "cancel:paid", "close:paid",
    ):  # fmt: skip
        assert outcomes[outcome] > 0, (outcome, sorted(outcomes.items()))
