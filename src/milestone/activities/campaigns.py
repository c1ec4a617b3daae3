"""Campaigns: the operator reserves part of the released activity budget for an event or task,
pays a fixed reward per proven participation, and gets back what is left when it closes.

Participation is proven one of three ways, fixed per campaign: the operator confirms it (with
a reference of its own), the owner redeems a one-time code (QR or event code), or the operator
uploads a list. Each proof pays at most once. A campaign never pays part of a reward: once
less than one reward is left it is exhausted and says so.
"""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Sequence
from dataclasses import dataclass, field

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from milestone.activities.budget import release_opened_budgets, released_budget
from milestone.activities.errors import (
    CampaignBudgetExceedsReleased,
    CampaignCapReached,
    CampaignCodeUsed,
    CampaignExhausted,
    CampaignNameTaken,
    CampaignNotActive,
    CampaignWindowOver,
    DuplicateParticipation,
    InvalidCampaign,
    UnknownCampaign,
    UnknownCampaignCode,
    WrongProofMethod,
)
from milestone.activities.models import Campaign, CampaignCode, CampaignParticipation
from milestone.activities.standing import require_in_good_standing
from milestone.clock import Clock
from milestone.errors import MilestoneError
from milestone.events import emit, owner_address
from milestone.idempotency import check_request_key
from milestone.ledger import (
    ACTIVITY_BUDGET,
    balance_of,
    campaign_account,
    open_account,
    owner_account,
    post_transaction,
    transfer,
)
from milestone.ledger.journal import lock_head
from milestone.rules.units import MAX_AMOUNT, format_pebbles

OPERATOR, CODE, LIST = "operator", "code", "list"
PROOF_METHODS = (OPERATOR, CODE, LIST)
FUND_KIND = "activity.campaign.fund"
PAY_KIND = "activity.campaign"
CLOSE_KIND = "activity.campaign.close"
NAME_MAX_LENGTH = 100
MAX_CODES_PER_CALL = 10_000
CODE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
CODE_LENGTH = 12
"""31^12 ≈ 7.9·10^17 codes: one cannot be guessed among a campaign's thousands."""


@dataclass(frozen=True)
class UploadResult:
    """What a list upload paid, and whom it did not pay with the reason's code."""

    paid: list[int] = field(default_factory=list)
    refused: list[tuple[int, str]] = field(default_factory=list)


def create_campaign(
    session: Session,
    clock: Clock,
    *,
    name: str,
    budget: int,
    reward: int,
    per_owner_cap: int,
    proof: str,
    starts_at: int,
    ends_at: int,
) -> Campaign:
    """Create a campaign and reserve its budget from the released activity budget. No commit."""
    name = _checked_definition(name, budget, reward, per_owner_cap, proof, starts_at, ends_at)
    if ends_at <= clock.now():
        raise CampaignWindowOver("the campaign's window is already over")
    lock_head(session)
    if session.execute(select(Campaign.id).where(Campaign.name == name)).first():
        raise CampaignNameTaken(f"a campaign named {name!r} exists")
    release_opened_budgets(session, clock)
    released = released_budget(session)
    if budget > released:
        raise CampaignBudgetExceedsReleased(
            f"the campaign needs {format_pebbles(budget)} stones; "
            f"{format_pebbles(released)} are released and not reserved",
            budget=budget, released=released,
        )
    campaign = Campaign(
        name=name, budget=budget, reward=reward, per_owner_cap=per_owner_cap, proof=proof,
        starts_at=starts_at, ends_at=ends_at, created_at=clock.now(),
    )
    session.add(campaign)
    session.flush()
    account = campaign_account(campaign.id)
    open_account(session, clock, account)
    post_transaction(
        session, clock, FUND_KIND, f"{FUND_KIND}:{campaign.id}",
        transfer(ACTIVITY_BUDGET, account, budget), {"campaign_id": campaign.id, "name": name},
    )
    return campaign


def get_campaign(session: Session, campaign_id: int) -> Campaign:
    campaign = session.get(Campaign, campaign_id)
    if campaign is None:
        raise UnknownCampaign(f"no campaign {campaign_id}", campaign_id=campaign_id)
    return campaign


def list_campaigns(session: Session) -> list[Campaign]:
    return list(session.execute(select(Campaign).order_by(Campaign.id)).scalars())


def campaign_remaining(session: Session, campaign_id: int) -> int:
    """Pebbles of the campaign's budget not paid out (nor returned)."""
    return balance_of(session, campaign_account(get_campaign(session, campaign_id).id))


def issue_campaign_codes(session: Session, clock: Clock, campaign_id: int, count: int) -> list[str]:
    """`count` fresh one-time codes for a code campaign; only their hashes are kept. No commit."""
    campaign = _campaign_proven_by(session, campaign_id, CODE)
    if not 0 < count <= MAX_CODES_PER_CALL:
        raise InvalidCampaign(f"issue 1 to {MAX_CODES_PER_CALL} codes at a time")
    if campaign.closed_at is not None:
        raise CampaignNotActive(f"campaign {campaign_id} is closed")
    codes = [_new_code() for _ in range(count)]
    session.add_all(
        CampaignCode(code_hash=_hash_code(code), campaign_id=campaign.id, created_at=clock.now())
        for code in codes
    )
    session.flush()
    return codes


def confirm_participation(
    session: Session, clock: Clock, campaign_id: int, owner_id: int, reference: str
) -> CampaignParticipation:
    """The operator confirms the owner took part; `reference` makes it pay once. No commit."""
    campaign = _campaign_proven_by(session, campaign_id, OPERATOR)
    proof = f"operator:{check_request_key(reference)}"
    return _participate(session, clock, campaign, owner_id, proof)


def redeem_campaign_code(
    session: Session, clock: Clock, campaign_id: int, owner_id: int, code: str
) -> CampaignParticipation:
    """The owner redeems a one-time code of the campaign. No commit."""
    campaign = _campaign_proven_by(session, campaign_id, CODE)
    lock_head(session)
    code_hash = _hash_code(code)
    row = session.get(CampaignCode, code_hash)
    if row is None or row.campaign_id != campaign.id:
        raise UnknownCampaignCode("this code is not a code of the campaign")
    if row.used_by is not None and row.used_by != owner_id:
        raise CampaignCodeUsed("this code was already redeemed")
    participation = _participate(session, clock, campaign, owner_id, f"code:{code_hash.hex()}")
    if row.used_by is None:
        row.used_by, row.used_at = owner_id, clock.now()
        session.flush()
    return participation


def redeem_code(session: Session, clock: Clock, owner_id: int, code: str) -> CampaignParticipation:
    """The owner redeems a one-time code, whatever its campaign: codes are unique across
    campaigns, so the code alone names it (an owner holds the code, not the campaign). No commit.
    """
    row = session.get(CampaignCode, _hash_code(code))
    if row is None:
        raise UnknownCampaignCode("this code is not a code of any campaign")
    return redeem_campaign_code(session, clock, row.campaign_id, owner_id, code)


def campaign_of_code(session: Session, code: str) -> int | None:
    """The campaign that issued this code, if any did."""
    row = session.get(CampaignCode, _hash_code(code))
    return None if row is None else row.campaign_id


def code_redeemer(session: Session, campaign_id: int, code: str) -> int | None:
    """The owner who redeemed this code of the campaign, if anyone has yet."""
    row = session.get(CampaignCode, _hash_code(code))
    return row.used_by if row is not None and row.campaign_id == campaign_id else None


def upload_participants(
    session: Session, clock: Clock, campaign_id: int, owner_ids: Sequence[int], list_key: str
) -> UploadResult:
    """Pay every owner of an uploaded list once per list, in order, until the budget runs out.

    An owner who cannot be paid (over the cap, revoked, the campaign exhausted) is reported
    with the refusal's code; the others are paid. Uploading the same list again (same key)
    pays nobody twice. No commit.
    """
    campaign = _campaign_proven_by(session, campaign_id, LIST)
    list_key = check_request_key(list_key)
    _require_active(campaign, clock.now())
    result = UploadResult()
    for owner_id in owner_ids:
        try:
            _participate(session, clock, campaign, owner_id, f"list:{list_key}:{owner_id}")
        except MilestoneError as error:
            result.refused.append((owner_id, error.code))
        else:
            result.paid.append(owner_id)
    return result


def close_campaign(session: Session, clock: Clock, campaign_id: int) -> Campaign:
    """Close the campaign (early, or once over) and return its unspent budget. No commit."""
    lock_head(session)
    campaign = get_campaign(session, campaign_id)
    if campaign.closed_at is not None:
        return campaign
    account = campaign_account(campaign.id)
    remaining = balance_of(session, account)
    if remaining > 0:
        post_transaction(
            session, clock, CLOSE_KIND, f"{CLOSE_KIND}:{campaign.id}",
            transfer(account, ACTIVITY_BUDGET, remaining), {"campaign_id": campaign.id},
        )
    campaign.closed_at = clock.now()
    campaign.returned = remaining
    session.flush()
    return campaign


def close_ended_campaigns(session: Session, clock: Clock) -> list[Campaign]:
    """Close every campaign whose window is over (settlement runs this each epoch). No commit."""
    ended = session.execute(
        select(Campaign.id)
        .where(Campaign.closed_at.is_(None), Campaign.ends_at <= clock.now())
        .order_by(Campaign.id)
    ).scalars()
    return [close_campaign(session, clock, campaign_id) for campaign_id in list(ended)]


def participations_of(session: Session, campaign_id: int, owner_id: int) -> int:
    return session.execute(
        select(func.count()).where(
            CampaignParticipation.campaign_id == campaign_id,
            CampaignParticipation.owner_id == owner_id,
        )
    ).scalar_one()


def _participate(
    session: Session, clock: Clock, campaign: Campaign, owner_id: int, proof: str
) -> CampaignParticipation:
    lock_head(session)
    earlier = session.execute(
        select(CampaignParticipation).where(
            CampaignParticipation.campaign_id == campaign.id, CampaignParticipation.proof == proof
        )
    ).scalar_one_or_none()
    if earlier is not None:
        if earlier.owner_id != owner_id:
            raise DuplicateParticipation("this proof of participation was used by another owner")
        return earlier
    now = clock.now()
    _require_active(campaign, now)
    require_in_good_standing(session, owner_id)
    if participations_of(session, campaign.id, owner_id) >= campaign.per_owner_cap:
        raise CampaignCapReached(
            f"owner {owner_id} took part {campaign.per_owner_cap} times already, the most allowed"
        )
    account = campaign_account(campaign.id)
    remaining = balance_of(session, account)
    if remaining < campaign.reward:
        raise CampaignExhausted(
            f"campaign {campaign.id} has run out: {format_pebbles(remaining)} stones left, "
            f"a reward is {format_pebbles(campaign.reward)}",
            campaign_id=campaign.id,
        )
    entry = post_transaction(
        session, clock, PAY_KIND, f"{PAY_KIND}:{campaign.id}:{proof}",
        transfer(account, owner_account(owner_id), campaign.reward),
        {"campaign_id": campaign.id, "proof": proof},
    )
    participation = CampaignParticipation(
        campaign_id=campaign.id, owner_id=owner_id, proof=proof, reward=campaign.reward,
        participated_at=now, entry_seq=entry.seq,
    )
    session.add(participation)
    session.flush()
    emit(session, "campaign.rewarded", {"campaign_id": campaign.id, "reward": str(campaign.reward),
         "owner": owner_address(session, owner_id)}, at=now)
    return participation


def _require_active(campaign: Campaign, now: int) -> None:
    if campaign.closed_at is not None or not campaign.starts_at <= now < campaign.ends_at:
        raise CampaignNotActive(
            f"campaign {campaign.id} runs from {campaign.starts_at} to {campaign.ends_at}"
            + (" and is closed" if campaign.closed_at is not None else ""),
            campaign_id=campaign.id,
        )


def _campaign_proven_by(session: Session, campaign_id: int, method: str) -> Campaign:
    campaign = get_campaign(session, campaign_id)
    if campaign.proof != method:
        raise WrongProofMethod(
            f"campaign {campaign_id} takes proof by {campaign.proof}, not by {method}"
        )
    return campaign


def _checked_definition(
    name: str, budget: int, reward: int, cap: int, proof: str, starts_at: int, ends_at: int
) -> str:
    if not isinstance(name, str) or not 0 < len(name.strip()) <= NAME_MAX_LENGTH:
        raise InvalidCampaign(f"a campaign's name is 1 to {NAME_MAX_LENGTH} characters")
    for label, value in (("budget", budget), ("reward", reward), ("per-owner cap", cap)):
        if isinstance(value, bool) or not isinstance(value, int) or not 0 < value <= MAX_AMOUNT:
            raise InvalidCampaign(f"the {label} must be a positive integer, not {value!r}")
    if reward > budget:
        raise InvalidCampaign("the reward is larger than the whole budget")
    if proof not in PROOF_METHODS:
        raise InvalidCampaign(f"proof must be one of {', '.join(PROOF_METHODS)}, not {proof!r}")
    if not starts_at < ends_at:
        raise InvalidCampaign("the campaign must end after it starts")
    return name.strip()


def _new_code() -> str:
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))


def _hash_code(code: str) -> bytes:
    return hashlib.sha256(code.strip().upper().encode()).digest()

