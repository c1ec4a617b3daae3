"""Bodies of dividends: declarations, entitlements and their Merkle proofs, payout results."""

from __future__ import annotations

from pydantic import BaseModel, Field

from milestone.api.schemas.common import Amount, FenText, Instant, hex_of, optional_instant
from milestone.api.schemas.requests import DateText, EpochIn, PositiveFenIn, RequestModel
from milestone.dividends.commitments import EntitlementProof
from milestone.dividends.limits import DividendLimits
from milestone.dividends.models import Dividend, Entitlement
from milestone.dividends.payouts import PayoutConfirmation


class DividendCreate(RequestModel):
    amount_fen: PositiveFenIn
    """The stake's dividend in CNY fen: per stone (the default), the holders at `record_epoch`
    get their stones' share of the supply and the issuer the rest; `per_circulating` programs
    split it all over the owners' stones."""
    record_epoch: EpochIn
    payment_date: DateText
    note: str = Field(default="", max_length=500)


class DividendLimitsPublic(BaseModel):
    max_amount_fen: FenText
    """The program's ceiling for one declaration (`dividend_ceiling_fen`, or the stake's
    backing when that is 0): a larger one is refused with `dividend_above_ceiling`."""
    ceiling_is_backing: bool
    """True when the ceiling is the stake's backing (`dividend_ceiling_fen` is 0)."""
    earliest_payment_date: str
    """Today in the program's time zone: a payment date may not be earlier."""
    time_zone: str

    @classmethod
    def of(cls, limits: DividendLimits, time_zone: str) -> DividendLimitsPublic:
        return cls(max_amount_fen=str(limits.max_amount_fen),
                   ceiling_is_backing=limits.ceiling_is_backing,
                   earliest_payment_date=limits.earliest_payment_date, time_zone=time_zone)


class DividendPublic(BaseModel):
    id: int
    amount_fen: FenText
    mode: str
    """`per_stone` or `per_circulating`: the program's dividend mode when it was declared."""
    holders_fen: FenText
    """The holders' part: the sum of the entitlements."""
    issuer_fen: FenText
    """The issuer's part: the share of the stones not held (unissued, reserved, burned)."""
    record_epoch: int
    payment_date: str
    note: str
    declared_at: Instant
    circulating: Amount
    """The stones held by owners at the record epoch: the base of the split."""
    holders: int
    root: str
    """Merkle root of the (address, fen) entitlements, committed on-chain."""
    committed_epoch: int | None

    @classmethod
    def of(cls, dividend: Dividend) -> DividendPublic:
        return cls(
            id=dividend.id, amount_fen=str(dividend.amount_fen), mode=dividend.mode,
            holders_fen=str(dividend.holders_fen), issuer_fen=str(dividend.issuer_fen),
            record_epoch=dividend.record_epoch,
            payment_date=dividend.payment_date, note=dividend.note,
            declared_at=Instant.of(dividend.declared_at),
            circulating=Amount.of(dividend.circulating), holders=dividend.holders,
            root=hex_of(dividend.root), committed_epoch=dividend.committed_epoch,
        )


class EntitlementPublic(BaseModel):
    dividend_id: int
    owner_id: int
    address: str
    balance: Amount
    amount_fen: FenText
    paid_at: Instant | None
    rail_reference: str | None

    @classmethod
    def of(cls, entitlement: Entitlement) -> EntitlementPublic:
        return cls(
            dividend_id=entitlement.dividend_id, owner_id=entitlement.owner_id,
            address=hex_of(entitlement.address), balance=Amount.of(entitlement.balance),
            amount_fen=str(entitlement.amount_fen), paid_at=optional_instant(entitlement.paid_at),
            rail_reference=entitlement.rail_reference,
        )


class EntitlementProofPublic(BaseModel):
    """My share and its proof: `keccak256(keccak256(abi.encode(address, amount_fen)))` is a
    leaf of the tree whose root the dividend committed (OpenZeppelin standard tree)."""

    dividend_id: int
    owner_id: int
    address: str
    amount_fen: FenText
    root: str
    proof: list[str]
    committed_epoch: int | None

    @classmethod
    def of(cls, proof: EntitlementProof) -> EntitlementProofPublic:
        return cls(
            dividend_id=proof.dividend_id, owner_id=proof.owner_id, address=hex_of(proof.address),
            amount_fen=str(proof.amount_fen), root=hex_of(proof.root),
            proof=[hex_of(node) for node in proof.proof], committed_epoch=proof.committed_epoch,
        )


class PayoutConfirmationPublic(BaseModel):
    paid: int
    """Lines newly marked paid."""
    paid_fen: FenText
    failed: int
    already_paid: int

    @classmethod
    def of(cls, result: PayoutConfirmation) -> PayoutConfirmationPublic:
        return cls(
            paid=result.paid, paid_fen=str(result.paid_fen), failed=result.failed,
            already_paid=result.already_paid,
        )
