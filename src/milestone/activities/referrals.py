"""Referrals: an owner's code named in a car order pays referrer and buyer once the sales system
confirms, with its signature, that the car was delivered.

The confirmation is the only trigger: a referral registered in the app pays nothing until a
registered sales system signs `encode_delivery_confirmation(order id, VIN, buyer, instant)`.
Each delivered VIN pays once; a retried confirmation returns the first result.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass

from nacl.exceptions import BadSignatureError
from nacl.signing import VerifyKey
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from milestone.activities.budget import pay_from_budget, program_parameters
from milestone.activities.errors import (
    BuyerMismatch,
    DeliveryInFuture,
    DuplicateDelivery,
    DuplicateOrder,
    InvalidOrderId,
    ReferralBadSignature,
    ReferralCodeRevoked,
    SelfReferral,
    UnknownOrder,
    UnknownReferralCode,
)
from milestone.activities.models import Referral, ReferralCode
from milestone.activities.sales import get_sales_system
from milestone.activities.standing import require_in_good_standing, standing_of
from milestone.clock import Clock
from milestone.events import emit, owner_address
from milestone.ledger.journal import lock_head
from milestone.registry.owners import get_owner, owners_sharing_identity
from milestone.registry.vin import InvalidVin, normalize_vin
from milestone.rules.activities import (
    InvalidConfirmation,
    calculate_vesting_instant,
    encode_delivery_confirmation,
    is_within_yearly_cap,
    year_of,
)

REFERRAL_KIND = "activity.referral"
CODE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
"""No 0/O, 1/I/L: a code is read aloud and typed from a screen."""
CODE_LENGTH = 8
SIGNATURE_BYTES = 64

REWARDED = "rewarded"
YEARLY_CAP_REACHED = "yearly_cap_reached"
REFERRER_REVOKED = "referrer_revoked"


@dataclass(frozen=True)
class DeliveryConfirmation:
    """What a sales system sends: the delivered car's order, VIN, buyer and instant, signed."""

    order_id: str
    vin: str
    buyer_id: int
    delivered_at: int
    signature: bytes

    def message(self) -> bytes:
        """The signed bytes (see `milestone.rules.activities.encode_delivery_confirmation`)."""
        return encode_delivery_confirmation(
            self.order_id, self.vin, self.buyer_id, self.delivered_at
        )


def referral_code_of(session: Session, clock: Clock, owner_id: int) -> str:
    """The owner's referral code, created on first request. No commit."""
    get_owner(session, owner_id)
    lock_head(session)
    code = session.execute(
        select(ReferralCode.code).where(ReferralCode.owner_id == owner_id)
    ).scalar_one_or_none()
    if code is not None:
        return code
    while True:  # 31^8 ≈ 8.5·10^11 codes: a collision is rare, and simply drawn again
        code = "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))
        if session.get(ReferralCode, code) is None:
            break
    session.add(ReferralCode(code=code, owner_id=owner_id, created_at=clock.now()))
    session.flush()
    return code


def register_referral(
    session: Session, clock: Clock, *, order_id: str, code: str, buyer_id: int
) -> Referral:
    """Record that the buyer's car order names a referral code. No commit."""
    order_id = _checked_order_id(order_id)
    lock_head(session)
    owner_of_code = session.execute(
        select(ReferralCode.owner_id).where(ReferralCode.code == code.strip().upper())
    ).scalar_one_or_none()
    if owner_of_code is None:
        raise UnknownReferralCode(f"no referral code {code!r}", code=code)
    require_in_good_standing(session, buyer_id)
    if standing_of(session, owner_of_code).revoked:
        raise ReferralCodeRevoked(f"referral code {code!r} is no longer valid", code=code)
    _refuse_self_referral(session, owner_of_code, buyer_id)
    if session.execute(select(Referral.id).where(Referral.order_id == order_id)).first():
        raise DuplicateOrder(f"order {order_id!r} already names a referral code", order_id=order_id)
    referral = Referral(
        order_id=order_id, code=code.strip().upper(), referrer_id=owner_of_code, buyer_id=buyer_id,
        registered_at=clock.now(),
    )
    session.add(referral)
    session.flush()
    return referral


def confirm_delivery(
    session: Session, clock: Clock, sales_system_id: int, confirmation: DeliveryConfirmation
) -> Referral:
    """Verify a signed delivery and pay the referral's rewards, once per VIN. No commit."""
    system = get_sales_system(session, sales_system_id)
    _verify_signature(system.public_key, confirmation)
    if normalize_vin(confirmation.vin) != confirmation.vin:
        raise InvalidVin("the signed VIN must be in its normal form: 17 upper-case characters")
    lock_head(session)
    referral = session.execute(
        select(Referral).where(Referral.order_id == confirmation.order_id)
    ).scalar_one_or_none()
    if referral is None:
        raise UnknownOrder(
            f"no referral registered for order {confirmation.order_id!r}",
            order_id=confirmation.order_id,
        )
    if referral.confirmed_at is not None:
        if referral.vin == confirmation.vin and referral.buyer_id == confirmation.buyer_id:
            return referral  # the sales system retried: the first confirmation stands
        raise DuplicateDelivery(f"order {referral.order_id!r} was already delivered and rewarded")
    if session.execute(select(Referral.id).where(Referral.vin == confirmation.vin)).first():
        raise DuplicateDelivery(f"VIN {confirmation.vin} was already delivered and rewarded")
    if confirmation.buyer_id != referral.buyer_id:
        raise BuyerMismatch(
            f"order {referral.order_id!r} was placed by owner {referral.buyer_id}, "
            f"not {confirmation.buyer_id}"
        )
    params = program_parameters(session)
    if confirmation.delivered_at > clock.now() + params.clock_skew_seconds:
        raise DeliveryInFuture("the delivery instant is in the future")
    require_in_good_standing(session, referral.buyer_id)
    _refuse_self_referral(session, referral.referrer_id, referral.buyer_id)
    _pay(session, clock, system.id, referral, confirmation)
    return referral


def _pay(
    session: Session, clock: Clock, sales_system_id: int, referral: Referral,
    confirmation: DeliveryConfirmation,
) -> None:
    params = program_parameters(session)
    now = clock.now()
    year = year_of(now)
    outcome = REWARDED
    if standing_of(session, referral.referrer_id).revoked:
        outcome = REFERRER_REVOKED
    elif not is_within_yearly_cap(
        referrals_rewarded_in(session, referral.referrer_id, year), params.referral_yearly_cap
    ):
        outcome = YEARLY_CAP_REACHED
    referrer_reward = params.referral_referrer_reward if outcome == REWARDED else 0
    vesting_days = params.referral_vesting_days
    vests_at = None
    if vesting_days > 0:
        vests_at = calculate_vesting_instant(confirmation.delivered_at, vesting_days)
    entry = pay_from_budget(
        session, clock, REFERRAL_KIND, f"{REFERRAL_KIND}:{confirmation.vin}",
        {referral.buyer_id: params.referral_buyer_reward, referral.referrer_id: referrer_reward},
        {"order_id": referral.order_id, "vin": confirmation.vin, "referrer_outcome": outcome,
         "vests_at": vests_at},
    )
    referral.vin = confirmation.vin
    referral.delivered_at = confirmation.delivered_at
    referral.confirmed_at = now
    referral.sales_system_id = sales_system_id
    referral.signature = confirmation.signature
    referral.buyer_reward = params.referral_buyer_reward
    referral.referrer_reward = referrer_reward
    referral.referrer_outcome = outcome
    referral.reward_year = year
    referral.vests_at = vests_at
    referral.entry_seq = entry.seq
    session.flush()
    emit(session, "referral.paid", referral_payload(session, referral), at=now)


def referral_payload(session: Session, referral: Referral) -> dict[str, object]:
    """What the `referral.paid` event says: both parties by address, both rewards."""
    return {
        "buyer": owner_address(session, referral.buyer_id),
        "referrer": owner_address(session, referral.referrer_id),
        "buyer_reward": str(referral.buyer_reward),
        "referrer_reward": str(referral.referrer_reward),
        "referrer_outcome": referral.referrer_outcome, "vests_at": referral.vests_at,
    }


def referrals_rewarded_in(session: Session, referrer_id: int, year: int) -> int:
    """How many of the referrer's referrals were rewarded in UTC year `year`."""
    return session.execute(
        select(func.count()).where(
            Referral.referrer_id == referrer_id,
            Referral.referrer_outcome == REWARDED,
            Referral.reward_year == year,
        )
    ).scalar_one()


def vesting_rewards(session: Session, owner_id: int, now: int) -> list[tuple[int, int, int]]:
    """`(entry seq, pebbles, vests_at)` of the owner's referral rewards not vested at `now`."""
    rows = session.execute(
        select(Referral.entry_seq, Referral.buyer_id, Referral.referrer_id, Referral.buyer_reward,
               Referral.referrer_reward, Referral.vests_at)
        .where(
            (Referral.buyer_id == owner_id) | (Referral.referrer_id == owner_id),
            Referral.vests_at > now,
        )
    )
    vesting = []
    for seq, buyer, _referrer, buyer_reward, referrer_reward, vests_at in rows:
        amount = buyer_reward if buyer == owner_id else referrer_reward
        if amount and seq is not None and vests_at is not None:
            vesting.append((seq, amount, vests_at))
    return vesting


def _verify_signature(public_key: bytes, confirmation: DeliveryConfirmation) -> None:
    try:
        message = confirmation.message()
    except InvalidConfirmation as error:
        raise ReferralBadSignature(
            f"the confirmation cannot be verified: {error.message}"
        ) from None
    signature = confirmation.signature
    if not isinstance(signature, bytes) or len(signature) != SIGNATURE_BYTES:
        raise ReferralBadSignature(f"an Ed25519 signature is {SIGNATURE_BYTES} bytes")
    try:
        VerifyKey(public_key).verify(message, signature)
    except BadSignatureError:
        raise ReferralBadSignature(
            "the signature does not match this confirmation and the sales system's key"
        ) from None


def _refuse_self_referral(session: Session, referrer_id: int, buyer_id: int) -> None:
    if referrer_id == buyer_id or buyer_id in owners_sharing_identity(session, referrer_id):
        raise SelfReferral(
            "the buyer cannot use their own referral code (same owner, phone or payment identity)"
        )


def _checked_order_id(order_id: str) -> str:
    if not isinstance(order_id, str) or not 0 < len(order_id.encode("utf-8")) <= 64:
        raise InvalidOrderId("an order id is 1 to 64 bytes of text")
    return order_id
