"""Named refusals of the activities; each leaves the database as it was."""

from __future__ import annotations

from milestone.errors import Conflict, MilestoneError, NotFound


class ActivityError(MilestoneError):
    code = "activity_error"
    http_status = 422


class ActivityBudgetExhausted(Conflict):
    """The released activity budget cannot pay this reward now; it grows as epochs settle."""

    code = "activity_budget_exhausted"


class ReleaseExceedsSchedule(ActivityError):
    code = "release_exceeds_schedule"


class EpochNotBegun(ActivityError):
    code = "epoch_not_begun"
    http_status = 409


class ReleaseConflict(Conflict):
    """The epoch's budget was already released, with another amount."""

    code = "release_conflict"


class OwnerRevoked(Conflict):
    code = "owner_revoked"


class OwnerNotCertified(Conflict):
    code = "owner_not_certified"


class AlreadyCheckedIn(Conflict):
    code = "already_checked_in"


class UnknownReferralCode(NotFound):
    code = "unknown_referral_code"


class SelfReferral(ActivityError):
    """Referrer and buyer are one person: the same owner, phone or payment identity."""

    code = "self_referral"


class ReferralCodeRevoked(Conflict):
    """The code belongs to an owner whose account was revoked."""

    code = "referral_code_revoked"


class DuplicateOrder(Conflict):
    """This car order already names a referral code."""

    code = "duplicate_order"


class InvalidOrderId(ActivityError):
    code = "invalid_order_id"


class UnknownOrder(NotFound):
    """No referral was registered for this car order."""

    code = "unknown_order"


class DuplicateDelivery(Conflict):
    """This VIN's delivery was already rewarded."""

    code = "duplicate_delivery"


class BuyerMismatch(ActivityError):
    code = "buyer_mismatch"


class ReferralBadSignature(ActivityError):
    code = "referral_bad_signature"
    http_status = 401


class UnknownSalesSystem(NotFound):
    code = "unknown_sales_system"


class InvalidSalesSystem(ActivityError):
    code = "invalid_sales_system"


class SalesSystemTaken(Conflict):
    """A sales system with this name or public key is registered already."""

    code = "sales_system_taken"


class DeliveryInFuture(ActivityError):
    code = "delivery_in_future"


class InvalidCampaign(ActivityError):
    """A campaign definition that cannot run: empty name, bad window, reward or cap."""

    code = "invalid_campaign"


class CampaignNameTaken(Conflict):
    code = "campaign_name_taken"


class CampaignWindowOver(Conflict):
    """The campaign would end before now: nobody could ever take part."""

    code = "campaign_window_over"


class UnknownCampaign(NotFound):
    code = "unknown_campaign"


class CampaignBudgetExceedsReleased(Conflict):
    code = "campaign_budget_exceeds_released"


class CampaignNotActive(Conflict):
    """Outside the campaign's window: not started yet, or over."""

    code = "campaign_not_active"


class CampaignExhausted(Conflict):
    """What is left of the campaign's budget is less than one reward."""

    code = "campaign_exhausted"


class CampaignCapReached(Conflict):
    code = "campaign_cap_reached"


class WrongProofMethod(ActivityError):
    """Participation proven another way than the campaign accepts."""

    code = "wrong_proof_method"
    http_status = 409
    """409: the proof method is the campaign's own setting, which a request's schema cannot know."""


class UnknownCampaignCode(NotFound):
    code = "unknown_campaign_code"


class CampaignCodeUsed(Conflict):
    code = "campaign_code_used"


class DuplicateParticipation(Conflict):
    """This proof was already used for a different owner."""

    code = "duplicate_participation"

