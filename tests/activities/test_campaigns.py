"""Campaigns: reserved budget, proof of participation, caps, exhaustion, closing."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from milestone.activities import errors
from milestone.activities.budget import released_budget
from milestone.activities.campaigns import (
    close_campaign,
    close_ended_campaigns,
    confirm_participation,
    create_campaign,
    issue_campaign_codes,
    redeem_campaign_code,
    upload_participants,
)
from milestone.activities.models import Campaign
from milestone.activities.standing import revoke_owner
from milestone.clock import ManualClock
from milestone.idempotency import InvalidRequestKey
from milestone.ledger import balance_of, campaign_account, owner_account
from milestone.storage import Database

STONE = 10**8
DAY = 86_400
RELEASED = 6_250_000_000  # one epoch of the minimal preset


@pytest.fixture
def released(release_budget: Callable[[], int]) -> int:
    return release_budget()


def new_campaign(
    database: Database,
    clock: ManualClock,
    *,
    budget: int = 10 * STONE,
    reward: int = 3 * STONE,
    cap: int = 1,
    proof: str = "operator",
    days: int = 7,
) -> Campaign:
    with database.transaction() as session:
        return create_campaign(
            session,
            clock,
            name=f"campaign {clock.now()} {proof} {budget}",
            budget=budget,
            reward=reward,
            per_owner_cap=cap,
            proof=proof,
            starts_at=clock.now(),
            ends_at=clock.now() + days * DAY,
        )


def confirm(
    database: Database, clock: ManualClock, campaign: Campaign, owner: int, ref: str
) -> int:
    with database.transaction() as session:
        return confirm_participation(session, clock, campaign.id, owner, ref).reward


def balance(database: Database, account: str) -> int:
    with database.session() as session:
        return balance_of(session, account)


def test_a_campaign_reserves_its_budget(
    database: Database, clock: ManualClock, released: int
) -> None:
    campaign = new_campaign(database, clock)
    assert balance(database, campaign_account(campaign.id)) == 10 * STONE
    with database.session() as session:
        assert released_budget(session) == RELEASED - 10 * STONE


def test_a_budget_beyond_the_released_one_is_refused(
    database: Database, clock: ManualClock, released: int, snapshot: Callable[[], object]
) -> None:
    new_campaign(database, clock, budget=RELEASED - STONE)
    before = snapshot()
    with pytest.raises(errors.CampaignBudgetExceedsReleased) as raised:
        new_campaign(database, clock, budget=STONE + 1, reward=STONE)
    assert raised.value.code == "campaign_budget_exceeds_released"
    assert snapshot() == before


@pytest.mark.parametrize(
    "change",
    [
        {"budget": 0},
        {"reward": 0},
        {"reward": 11 * STONE},
        {"cap": 0},
        {"proof": "telepathy"},
        {"days": 0},
    ],
)
def test_impossible_campaigns_are_refused(
    database: Database, clock: ManualClock, released: int, change: dict[str, object]
) -> None:
    with pytest.raises(errors.InvalidCampaign) as raised:
        new_campaign(database, clock, **change)  # type: ignore[arg-type]
    assert raised.value.code == "invalid_campaign"


def test_the_operator_confirms_participation_once_per_reference(
    database: Database, clock: ManualClock, released: int, make_owner: Callable[[], int]
) -> None:
    campaign = new_campaign(database, clock, cap=2)
    owner = make_owner()
    assert confirm(database, clock, campaign, owner, "event-1") == 3 * STONE
    assert confirm(database, clock, campaign, owner, "event-1") == 3 * STONE  # a retry
    assert balance(database, owner_account(owner)) == 3 * STONE
    with pytest.raises(errors.DuplicateParticipation):
        confirm(database, clock, campaign, make_owner(), "event-1")
    with pytest.raises(InvalidRequestKey):
        confirm(database, clock, campaign, owner, "with space")


def test_the_per_owner_cap_holds(
    database: Database,
    clock: ManualClock,
    released: int,
    make_owner: Callable[[], int],
    snapshot: Callable[[], object],
) -> None:
    campaign = new_campaign(database, clock, cap=1)
    owner = make_owner()
    confirm(database, clock, campaign, owner, "a")
    before = snapshot()
    with pytest.raises(errors.CampaignCapReached) as raised:
        confirm(database, clock, campaign, owner, "b")
    assert raised.value.code == "campaign_cap_reached"
    assert snapshot() == before


def test_an_exhausted_campaign_stops_paying_and_says_so(
    database: Database,
    clock: ManualClock,
    released: int,
    make_owner: Callable[[], int],
    snapshot: Callable[[], object],
) -> None:
    campaign = new_campaign(database, clock)  # 10 stones, 3 a participation
    for reference in "abc":
        confirm(database, clock, campaign, make_owner(), reference)
    owner = make_owner()
    before = snapshot()
    with pytest.raises(errors.CampaignExhausted) as raised:
        confirm(database, clock, campaign, owner, "d")
    assert raised.value.code == "campaign_exhausted"
    assert "run out" in raised.value.message
    assert snapshot() == before
    assert balance(database, campaign_account(campaign.id)) == STONE


def test_closing_returns_the_unspent_budget(
    database: Database, clock: ManualClock, released: int, make_owner: Callable[[], int]
) -> None:
    campaign = new_campaign(database, clock)
    confirm(database, clock, campaign, make_owner(), "a")
    for _ in range(2):  # closing twice returns once
        with database.transaction() as session:
            closed = close_campaign(session, clock, campaign.id)
    assert closed.returned == 7 * STONE
    with database.session() as session:
        assert released_budget(session) == RELEASED - 3 * STONE
        assert balance_of(session, campaign_account(campaign.id)) == 0
    with pytest.raises(errors.CampaignNotActive):
        confirm(database, clock, campaign, make_owner(), "b")


def test_campaigns_pay_only_inside_their_window(
    database: Database, clock: ManualClock, released: int, make_owner: Callable[[], int]
) -> None:
    with database.transaction() as session:
        campaign = create_campaign(
            session,
            clock,
            name="next week",
            budget=STONE,
            reward=STONE,
            per_owner_cap=1,
            proof="operator",
            starts_at=clock.now() + DAY,
            ends_at=clock.now() + 2 * DAY,
        )
    owner = make_owner()
    with pytest.raises(errors.CampaignNotActive) as raised:
        confirm(database, clock, campaign, owner, "early")
    assert raised.value.code == "campaign_not_active"
    clock.advance(DAY)
    confirm(database, clock, campaign, owner, "on-time")
    clock.advance(DAY)
    with database.transaction() as session:
        assert [c.id for c in close_ended_campaigns(session, clock)] == [campaign.id]
        assert close_ended_campaigns(session, clock) == []


def test_one_time_codes_pay_once(
    database: Database, clock: ManualClock, released: int, make_owner: Callable[[], int]
) -> None:
    campaign = new_campaign(database, clock, proof="code", cap=5)
    with database.transaction() as session:
        codes = issue_campaign_codes(session, clock, campaign.id, 3)
    assert len(set(codes)) == 3
    owner, other = make_owner(), make_owner()
    for _ in range(2):  # the same owner redeeming again is a retry
        with database.transaction() as session:
            redeem_campaign_code(session, clock, campaign.id, owner, codes[0].lower())
    assert balance(database, owner_account(owner)) == 3 * STONE
    with pytest.raises(errors.CampaignCodeUsed), database.transaction() as session:
        redeem_campaign_code(session, clock, campaign.id, other, codes[0])
    with pytest.raises(errors.UnknownCampaignCode), database.transaction() as session:
        redeem_campaign_code(session, clock, campaign.id, other, "NOT-A-CODE")
    with pytest.raises(errors.WrongProofMethod) as raised:
        confirm(database, clock, campaign, other, "x")
    assert raised.value.code == "wrong_proof_method"


def test_a_list_upload_pays_each_listed_owner_once(
    database: Database, clock: ManualClock, released: int, make_owner: Callable[[], int]
) -> None:
    campaign = new_campaign(database, clock, proof="list", budget=7 * STONE, reward=2 * STONE)
    owners = [make_owner() for _ in range(4)]
    with database.transaction() as session:
        revoke_owner(session, clock, owners[1], "fraud")
    listed = [owners[0], owners[0], owners[1], owners[2], owners[3], 999]
    with database.transaction() as session:
        result = upload_participants(session, clock, campaign.id, listed, "list-1")
    assert result.paid == [owners[0], owners[0], owners[2], owners[3]]
    assert result.refused == [(owners[1], "owner_revoked"), (999, "unknown_owner")]
    with database.transaction() as session:  # uploading the same list again pays nobody twice
        again = upload_participants(session, clock, campaign.id, listed, "list-1")
    assert again.paid == result.paid
    late = make_owner()
    assert balance(database, campaign_account(campaign.id)) == STONE
    with database.transaction() as session:
        result = upload_participants(session, clock, campaign.id, [owners[0], late], "list-2")
    assert result.refused == [(owners[0], "campaign_cap_reached"), (late, "campaign_exhausted")]
