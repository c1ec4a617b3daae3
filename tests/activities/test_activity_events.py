"""The events of activities: a paid referral names both parties by address, a campaign reward
its owner; a retried confirmation tells nobody anything new."""

from __future__ import annotations

from collections.abc import Callable

from milestone.clock import ManualClock
from milestone.events import events_after, owner_addresses
from milestone.registry.vin import synthetic_vin
from milestone.storage import Database

from .test_campaigns import confirm as confirm_participation
from .test_campaigns import new_campaign
from .test_referrals import BUYER_REWARD, REFERRER_REWARD, Sales, code_of, confirm, register
from .test_referrals import released as released
from .test_referrals import sales as sales


def test_a_paid_referral_and_a_campaign_reward_are_told_once(
    database: Database, clock: ManualClock, make_owner: Callable[[], int], sales: Sales,
    released: int,
) -> None:
    referrer, buyer = make_owner(), make_owner()
    register(database, clock, "SO-1", code_of(database, clock, referrer), buyer)
    confirmation = sales.confirm("SO-1", synthetic_vin(1), buyer, clock.now())
    confirm(database, clock, sales, confirmation)
    confirm(database, clock, sales, confirmation)  # a retry
    campaign = new_campaign(database, clock)
    confirm_participation(database, clock, campaign, buyer, "event-1")
    confirm_participation(database, clock, campaign, buyer, "event-1")  # a retry
    with database.session() as session:
        events = [e for e in events_after(session, 0)
                  if e.type in ("referral.paid", "campaign.rewarded")]
        address = owner_addresses(session, [referrer, buyer])
    assert [e.type for e in events] == ["referral.paid", "campaign.rewarded"]
    paid, rewarded = events[0].data, events[1].data
    assert (paid["referrer"], paid["buyer"]) == (address[referrer], address[buyer])
    assert (paid["referrer_reward"], paid["buyer_reward"]) == (
        str(REFERRER_REWARD), str(BUYER_REWARD)
    )
    assert (rewarded["owner"], rewarded["campaign_id"]) == (address[buyer], campaign.id)
