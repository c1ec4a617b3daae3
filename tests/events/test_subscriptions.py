"""Subscriptions: URL and types checked, secret shown once, removal, replay of dead ones."""

from __future__ import annotations

import pytest
from standardwebhooks import Webhook

from milestone.clock import ManualClock
from milestone.events import emit
from milestone.events.errors import InvalidWebhookUrl, UnknownEventType, UnknownSubscription
from milestone.events.subscriptions import (
    add_subscription,
    list_subscriptions,
    remove_subscription,
    replay_subscription,
)
from milestone.storage import Database


def test_a_subscription_gets_a_standard_secret_and_starts_after_the_newest_event(
    database: Database, clock: ManualClock
) -> None:
    database.run(lambda s: emit(s, "epoch.finalized", {"epoch": 0}, at=0))
    subscription, secret = database.run(
        lambda s: add_subscription(s, clock, "https://crm.example/hooks", ["order.placed"])
    )
    assert secret.startswith("whsec_")
    Webhook(secret)  # the library accepts it
    with database.session() as session:
        (listed,) = list_subscriptions(session)
    assert listed.id == subscription.id and listed.event_types == ("order.placed",)
    assert (listed.pending, listed.delivered, listed.dead) == (0, 0, 0)


@pytest.mark.parametrize(
    "url", ["ftp://crm.example/x", "crm.example/hooks", "http:///nohost", "https://" + "a" * 2050]
)
def test_a_bad_url_is_refused_and_nothing_is_written(
    database: Database, clock: ManualClock, url: str
) -> None:
    with pytest.raises(InvalidWebhookUrl):
        database.run(lambda s: add_subscription(s, clock, url))
    with database.session() as session:
        assert list_subscriptions(session) == []


def test_an_unknown_event_type_is_refused(database: Database, clock: ManualClock) -> None:
    with pytest.raises(UnknownEventType):
        database.run(lambda s: add_subscription(s, clock, "https://a.example", ["nope"]))


def test_removing_or_replaying_an_unknown_subscription_is_refused(
    database: Database, clock: ManualClock
) -> None:
    with pytest.raises(UnknownSubscription):
        database.run(lambda s: remove_subscription(s, 9))
    with pytest.raises(UnknownSubscription):
        database.run(lambda s: replay_subscription(s, clock, 9))


def test_a_removed_subscription_is_gone(database: Database, clock: ManualClock) -> None:
    subscription, _ = database.run(lambda s: add_subscription(s, clock, "https://a.example"))
    database.run(lambda s: remove_subscription(s, subscription.id))
    with database.session() as session:
        assert list_subscriptions(session) == []
