"""Bodies of the activities: check-ins, referrals, sales systems, campaigns, standing."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field

from milestone.activities.campaigns import UploadResult
from milestone.activities.models import (
    Campaign,
    CampaignParticipation,
    CheckIn,
    Referral,
    SalesSystem,
)
from milestone.activities.standing import Standing
from milestone.api.schemas.common import (
    Amount,
    Instant,
    hex_of,
    optional_instant,
)
from milestone.api.schemas.requests import (
    VIN_FORMAT,
    IdIn,
    PositivePebblesIn,
    PublicKeyIn,
    RequestModel,
    UnixSecondsIn,
    integer,
    text,
)


class CheckInPublic(BaseModel):
    day: int
    """The program day (epoch) of the check-in."""
    streak: int
    reward: Amount
    at: Instant

    @classmethod
    def of(cls, check_in: CheckIn) -> CheckInPublic:
        return cls(
            day=check_in.day, streak=check_in.streak, reward=Amount.of(check_in.reward),
            at=Instant.of(check_in.checked_in_at),
        )


class StreakPublic(BaseModel):
    streak: int
    """Consecutive days checked in up to today or yesterday; 0 after a missed day."""
    last: CheckInPublic | None


class ReferralCodePublic(BaseModel):
    code: str


ORDER_ID_PATTERN = r"^[ -~]{1,64}$"
"""A car order's id: 1 to 64 printable ASCII characters (the services count 64 bytes)."""


class ReferralCreate(RequestModel):
    """The buyer names the referral code their car order carries."""

    order_id: str = Field(pattern=ORDER_ID_PATTERN)
    code: str = Field(min_length=1, max_length=16)


class ReferralPublic(BaseModel):
    id: int
    order_id: str
    code: str
    referrer_id: int
    buyer_id: int
    registered_at: Instant
    delivered_at: Instant | None
    confirmed_at: Instant | None
    buyer_reward: Amount | None
    referrer_reward: Amount | None
    referrer_outcome: str | None
    """`rewarded`, `yearly_cap_reached` or `referrer_revoked` once confirmed."""
    vests_at: Instant | None

    @classmethod
    def of(cls, referral: Referral) -> ReferralPublic:
        def amount(value: int | None) -> Amount | None:
            return None if value is None else Amount.of(value)

        return cls(
            id=referral.id, order_id=referral.order_id, code=referral.code,
            referrer_id=referral.referrer_id, buyer_id=referral.buyer_id,
            registered_at=Instant.of(referral.registered_at),
            delivered_at=optional_instant(referral.delivered_at),
            confirmed_at=optional_instant(referral.confirmed_at),
            buyer_reward=amount(referral.buyer_reward),
            referrer_reward=amount(referral.referrer_reward),
            referrer_outcome=referral.referrer_outcome,
            vests_at=optional_instant(referral.vests_at),
        )


class DeliveryConfirmationCreate(RequestModel):
    """A delivered car, signed by the sales system's Ed25519 key over
    `milestone.rules.activities.encode_delivery_confirmation(order_id, vin, buyer_id,
    delivered_at)`."""

    order_id: str = Field(pattern=ORDER_ID_PATTERN)
    vin: str = Field(
        pattern=r"^[0-9A-HJ-NPR-Z]{17}$", json_schema_extra={"format": VIN_FORMAT},
        description="The VIN in its normal form (upper case), as signed.",
    )
    buyer_id: IdIn
    delivered_at: UnixSecondsIn
    signature: str = Field(pattern=r"^0x[0-9a-fA-F]{128}$", description="64 bytes, 0x-hex.")


class SalesSystemCreate(RequestModel):
    name: str = text(64)
    public_key: PublicKeyIn
    """The Ed25519 key that signs the system's delivery confirmations."""


class SalesSystemPublic(BaseModel):
    id: int
    name: str
    public_key: str
    registered_at: Instant
    revoked_at: Instant | None

    @classmethod
    def of(cls, system: SalesSystem) -> SalesSystemPublic:
        return cls(
            id=system.id, name=system.name, public_key=hex_of(system.public_key),
            registered_at=Instant.of(system.registered_at),
            revoked_at=optional_instant(system.revoked_at),
        )


class SalesSystemRegisteredPublic(BaseModel):
    sales_system: SalesSystemPublic
    api_key: str
    """Shown this once; the service keeps only its hash."""


class CampaignCreate(RequestModel):
    """Besides each field's own rule: `reward` is at most `budget`, and `ends_at` is after
    `starts_at` and after now (`invalid_campaign` otherwise)."""

    name: str = text(100)
    budget: PositivePebblesIn
    """Reserved from the released activity budget when the campaign is created."""
    reward: PositivePebblesIn
    per_owner_cap: integer(1, 1_000_000)  # type: ignore[valid-type]
    proof: Literal["operator", "code", "list"]
    starts_at: UnixSecondsIn
    ends_at: UnixSecondsIn


class CampaignPublic(BaseModel):
    id: int
    name: str
    budget: Amount
    reward: Amount
    per_owner_cap: int
    proof: str
    starts_at: Instant
    ends_at: Instant
    created_at: Instant
    closed_at: Instant | None
    remaining: Amount
    returned: Amount | None
    status: Literal["upcoming", "open", "ended", "closed"]
    """At the service's clock: `ends_at` is the first instant after the campaign, so a campaign
    is open from `starts_at` up to (not including) `ends_at`, and ended but not yet closed after
    it; closed once the operator closed it and its remaining budget went back."""

    @classmethod
    def of(cls, campaign: Campaign, remaining: int, now: int) -> CampaignPublic:
        return cls(
            status=(
                "closed" if campaign.closed_at is not None
                else "upcoming" if now < campaign.starts_at
                else "open" if now < campaign.ends_at
                else "ended"
            ),
            id=campaign.id, name=campaign.name, budget=Amount.of(campaign.budget),
            reward=Amount.of(campaign.reward), per_owner_cap=campaign.per_owner_cap,
            proof=campaign.proof, starts_at=Instant.of(campaign.starts_at),
            ends_at=Instant.of(campaign.ends_at), created_at=Instant.of(campaign.created_at),
            closed_at=optional_instant(campaign.closed_at), remaining=Amount.of(remaining),
            returned=None if campaign.returned is None else Amount.of(campaign.returned),
        )


class CodesCreate(RequestModel):
    count: integer(1, 10_000)  # type: ignore[valid-type]


class CodesPublic(BaseModel):
    codes: list[str]
    """One-time codes, shown this once: the service keeps only their hashes."""


class ParticipationCreate(RequestModel):
    owner_id: IdIn
    reference: str = Field(min_length=1, max_length=64, pattern=r"^[\x21-\x7e]+$")
    """The operator's own reference for this participation: it pays once. An idempotency key's
    characters: printable ASCII, no spaces."""


class RedemptionCreate(RequestModel):
    code: str = Field(min_length=1, max_length=32)


class ParticipationPublic(BaseModel):
    id: int
    campaign_id: int
    owner_id: int
    reward: Amount
    at: Instant

    @classmethod
    def of(cls, participation: CampaignParticipation) -> ParticipationPublic:
        return cls(
            id=participation.id, campaign_id=participation.campaign_id,
            owner_id=participation.owner_id, reward=Amount.of(participation.reward),
            at=Instant.of(participation.participated_at),
        )


class RedemptionPublic(ParticipationPublic):
    repeated: bool
    """True when this owner had redeemed the code before: the answer is that first
    redemption, and nothing was paid again."""

    @classmethod
    def of_redemption(
        cls, participation: CampaignParticipation, *, repeated: bool
    ) -> RedemptionPublic:
        return cls(**ParticipationPublic.of(participation).model_dump(), repeated=repeated)


class UploadCreate(RequestModel):
    owner_ids: list[IdIn] = Field(min_length=1, max_length=10_000)
    list_key: str = Field(min_length=1, max_length=64, pattern=r"^[\x21-\x7e]+$")
    """Names the list: uploading it again pays nobody twice. An idempotency key's characters:
    printable ASCII, no spaces."""


class RefusedOwner(BaseModel):
    owner_id: int
    code: str


class UploadPublic(BaseModel):
    paid: list[int]
    refused: list[RefusedOwner]

    @classmethod
    def of(cls, result: UploadResult) -> UploadPublic:
        return cls(
            paid=result.paid,
            refused=[RefusedOwner(owner_id=owner, code=code) for owner, code in result.refused],
        )


class StandingPublic(BaseModel):
    owner_id: int
    certified_at: Instant | None
    revoked_at: Instant | None

    @classmethod
    def of(cls, standing: Standing) -> StandingPublic:
        return cls(
            owner_id=standing.owner_id, certified_at=optional_instant(standing.certified_at),
            revoked_at=optional_instant(standing.revoked_at),
        )


class RevocationCreate(RequestModel):
    reason: str = text(200)
