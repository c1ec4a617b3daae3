"""Activities: daily check-ins, referrals and their confirmation, campaigns, sales systems."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, status
from sqlalchemy.orm import Session

from milestone.activities import campaigns, checkin, referrals, sales
from milestone.activities.queries import list_sales_systems, referrals_of
from milestone.api.deps import (
    ClockDep,
    CurrentOperator,
    CurrentOwnerId,
    CurrentStaff,
    DatabaseDep,
    SalesKey,
    SessionDep,
    WriteLimit,
)
from milestone.api.problems import problem_responses
from milestone.api.schemas.activities import (
    CampaignCreate,
    CampaignPublic,
    CheckInPublic,
    CodesCreate,
    CodesPublic,
    DeliveryConfirmationCreate,
    ParticipationCreate,
    ParticipationPublic,
    RedemptionCreate,
    RedemptionPublic,
    ReferralCodePublic,
    ReferralCreate,
    ReferralPublic,
    SalesSystemCreate,
    SalesSystemPublic,
    SalesSystemRegisteredPublic,
    StreakPublic,
    UploadCreate,
    UploadPublic,
)
from milestone.api.schemas.common import bytes_of
from milestone.api.schemas.requests import MAX_JSON_INTEGER
from milestone.clock import Clock

router = APIRouter(
    prefix="/activities", tags=["activities"], responses=problem_responses(401, 403, 404)
)

CampaignId = Annotated[int, Path(ge=1, le=MAX_JSON_INTEGER)]
SalesSystemId = Annotated[int, Path(ge=1, le=MAX_JSON_INTEGER)]
WRITES = problem_responses(409, 429)


@router.post(
    "/check-ins", status_code=status.HTTP_201_CREATED, summary="Check in for today",
    dependencies=[WriteLimit], responses=WRITES,
)
def check_in(owner_id: CurrentOwnerId, database: DatabaseDep, clock: ClockDep) -> CheckInPublic:
    """Once per UTC day; consecutive days grow the streak bonus up to its cap."""
    return CheckInPublic.of(database.run(lambda s: checkin.check_in(s, clock, owner_id)))


@router.get("/check-ins/streak", summary="My check-in streak")
def read_streak(owner_id: CurrentOwnerId, session: SessionDep, clock: ClockDep) -> StreakPublic:
    last = checkin.last_check_in(session, owner_id)
    return StreakPublic(
        streak=checkin.current_streak(session, clock, owner_id),
        last=None if last is None else CheckInPublic.of(last),
    )


@router.get("/referral-code", summary="My referral code (made on first ask)")
def read_referral_code(
    owner_id: CurrentOwnerId, database: DatabaseDep, clock: ClockDep
) -> ReferralCodePublic:
    return ReferralCodePublic(
        code=database.run(lambda s: referrals.referral_code_of(s, clock, owner_id))
    )


@router.post(
    "/referrals", status_code=status.HTTP_201_CREATED,
    summary="Name the referral code of my car order", dependencies=[WriteLimit],
    responses=WRITES,
)
def register_referral(
    body: ReferralCreate, owner_id: CurrentOwnerId, database: DatabaseDep, clock: ClockDep
) -> ReferralPublic:
    """The caller is the buyer; nothing is paid until the sales system confirms delivery."""
    referral = database.run(
        lambda s: referrals.register_referral(
            s, clock, order_id=body.order_id, code=body.code, buyer_id=owner_id
        )
    )
    return ReferralPublic.of(referral)


@router.get("/referrals", summary="Referrals I made or was made in")
def read_referrals(owner_id: CurrentOwnerId, session: SessionDep) -> list[ReferralPublic]:
    return [ReferralPublic.of(referral) for referral in referrals_of(session, owner_id)]


@router.post(
    "/referrals/confirmations", summary="Confirm a delivered car (sales systems)",
    dependencies=[WriteLimit], responses=WRITES,
)
def confirm_delivery(
    body: DeliveryConfirmationCreate, system: SalesKey, database: DatabaseDep, clock: ClockDep
) -> ReferralPublic:
    """Pays referrer and buyer once per VIN; a retried confirmation returns the first result."""
    assert system.sales_system_id is not None
    system_id = system.sales_system_id
    confirmation = referrals.DeliveryConfirmation(
        order_id=body.order_id, vin=body.vin, buyer_id=body.buyer_id,
        delivered_at=body.delivered_at, signature=bytes_of(body.signature),
    )
    referral = database.run(lambda s: referrals.confirm_delivery(s, clock, system_id, confirmation))
    return ReferralPublic.of(referral)


@router.post(
    "/sales-systems", status_code=status.HTTP_201_CREATED, summary="Register a sales system",
    dependencies=[WriteLimit], responses=WRITES,
)
def register_sales_system(
    body: SalesSystemCreate, operator: CurrentOperator, database: DatabaseDep, clock: ClockDep
) -> SalesSystemRegisteredPublic:
    system, key = database.run(
        lambda s: sales.register_sales_system(s, clock, body.name, bytes_of(body.public_key))
    )
    return SalesSystemRegisteredPublic(sales_system=SalesSystemPublic.of(system), api_key=key)


@router.get("/sales-systems", summary="Registered sales systems")
def read_sales_systems(staff: CurrentStaff, session: SessionDep) -> list[SalesSystemPublic]:
    return [SalesSystemPublic.of(system) for system in list_sales_systems(session)]


@router.post(
    "/sales-systems/{sales_system_id}/revoke", summary="Stop a sales system's key and signatures",
    dependencies=[WriteLimit], responses=WRITES,
)
def revoke_sales_system(
    sales_system_id: SalesSystemId,
    operator: CurrentOperator,
    database: DatabaseDep,
    clock: ClockDep,
) -> SalesSystemPublic:
    system = database.run(lambda s: sales.revoke_sales_system(s, clock, sales_system_id))
    return SalesSystemPublic.of(system)


@router.get("/campaigns", summary="Campaigns", responses=problem_responses())
def read_campaigns(session: SessionDep, clock: ClockDep) -> list[CampaignPublic]:
    """Public: what a campaign pays, how much of its budget is left, and whether it is open."""
    return [
        _campaign(session, clock, campaign.id) for campaign in campaigns.list_campaigns(session)
    ]


@router.post(
    "/campaigns", status_code=status.HTTP_201_CREATED, summary="Create a campaign",
    dependencies=[WriteLimit], responses=WRITES,
)
def create_campaign(
    body: CampaignCreate, operator: CurrentOperator, database: DatabaseDep, clock: ClockDep
) -> CampaignPublic:
    """Reserves the budget from the released, unreserved activity budget."""

    def work(session: Session) -> CampaignPublic:
        campaign = campaigns.create_campaign(
            session, clock, name=body.name, budget=body.budget, reward=body.reward,
            per_owner_cap=body.per_owner_cap, proof=body.proof, starts_at=body.starts_at,
            ends_at=body.ends_at,
        )
        return _campaign(session, clock, campaign.id)

    return database.run(work)


@router.post(
    "/campaigns/{campaign_id}/codes", status_code=status.HTTP_201_CREATED,
    summary="Issue one-time codes", dependencies=[WriteLimit], responses=WRITES,
)
def issue_codes(
    campaign_id: CampaignId,
    body: CodesCreate,
    operator: CurrentOperator,
    database: DatabaseDep,
    clock: ClockDep,
) -> CodesPublic:
    codes = database.run(
        lambda s: campaigns.issue_campaign_codes(s, clock, campaign_id, body.count)
    )
    return CodesPublic(codes=codes)


@router.post(
    "/campaigns/{campaign_id}/participations", status_code=status.HTTP_201_CREATED,
    summary="Confirm an owner took part", dependencies=[WriteLimit], responses=WRITES,
)
def confirm_participation(
    campaign_id: CampaignId,
    body: ParticipationCreate,
    operator: CurrentOperator,
    database: DatabaseDep,
    clock: ClockDep,
) -> ParticipationPublic:
    participation = database.run(
        lambda s: campaigns.confirm_participation(
            s, clock, campaign_id, body.owner_id, body.reference
        )
    )
    return ParticipationPublic.of(participation)


@router.post(
    "/campaigns/{campaign_id}/redemptions", status_code=status.HTTP_201_CREATED,
    summary="Redeem a campaign code", dependencies=[WriteLimit], responses=WRITES,
)
def redeem_code(
    campaign_id: CampaignId,
    body: RedemptionCreate,
    owner_id: CurrentOwnerId,
    database: DatabaseDep,
    clock: ClockDep,
) -> RedemptionPublic:
    """Redeeming one's own code again answers the first redemption (`repeated`), paying
    nothing more; another owner's code is `campaign_code_used`."""

    def work(session: Session) -> RedemptionPublic:
        before = campaigns.code_redeemer(session, campaign_id, body.code)
        participation = campaigns.redeem_campaign_code(
            session, clock, campaign_id, owner_id, body.code
        )
        return RedemptionPublic.of_redemption(participation, repeated=before == owner_id)

    return database.run(work)


@router.post(
    "/redemptions", status_code=status.HTTP_201_CREATED,
    summary="Redeem a campaign code (the code alone)", dependencies=[WriteLimit], responses=WRITES,
)
def redeem_code_alone(
    body: RedemptionCreate,
    owner_id: CurrentOwnerId,
    database: DatabaseDep,
    clock: ClockDep,
) -> RedemptionPublic:
    """Codes are unique across campaigns, so the code names its campaign: an unknown code is
    `unknown_campaign_code` (404), another owner's `campaign_code_used` (409), a code of a
    campaign not running now `campaign_not_active` (409). Redeeming one's own code again
    answers the first redemption (`repeated`), paying nothing more."""

    def work(session: Session) -> RedemptionPublic:
        campaign_id = campaigns.campaign_of_code(session, body.code)
        before = None if campaign_id is None else campaigns.code_redeemer(
            session, campaign_id, body.code
        )
        participation = campaigns.redeem_code(session, clock, owner_id, body.code)
        return RedemptionPublic.of_redemption(participation, repeated=before == owner_id)

    return database.run(work)


@router.post(
    "/campaigns/{campaign_id}/uploads", summary="Pay a list of participants",
    dependencies=[WriteLimit], responses=WRITES,
)
def upload_participants(
    campaign_id: CampaignId,
    body: UploadCreate,
    operator: CurrentOperator,
    database: DatabaseDep,
    clock: ClockDep,
) -> UploadPublic:
    """Each owner is paid once per list; who cannot be paid is listed with the reason's code."""
    result = database.run(
        lambda s: campaigns.upload_participants(
            s, clock, campaign_id, body.owner_ids, body.list_key
        )
    )
    return UploadPublic.of(result)


@router.post(
    "/campaigns/{campaign_id}/close", summary="Close a campaign, returning what is left",
    dependencies=[WriteLimit], responses=WRITES,
)
def close_campaign(
    campaign_id: CampaignId, operator: CurrentOperator, database: DatabaseDep, clock: ClockDep
) -> CampaignPublic:
    def work(session: Session) -> CampaignPublic:
        campaigns.close_campaign(session, clock, campaign_id)
        return _campaign(session, clock, campaign_id)

    return database.run(work)


def _campaign(session: Session, clock: Clock, campaign_id: int) -> CampaignPublic:
    return CampaignPublic.of(
        campaigns.get_campaign(session, campaign_id),
        campaigns.campaign_remaining(session, campaign_id),
        clock.now(),
    )
