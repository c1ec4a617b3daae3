"""Bodies of consent: grants, revocations, and the receipts of both."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field

from milestone.api.schemas.common import Instant, hex_of
from milestone.api.schemas.requests import IdIn, RequestModel
from milestone.consent.service import Deletion, Receipt

Scope = Literal["mileage", "driving_behavior"]


class ConsentGrantCreate(RequestModel):
    vehicle_id: IdIn
    scope: Scope
    terms_version: str = Field(pattern=r"^[ -~]{1,32}$", examples=["2026-01"])
    """The version of the terms the owner agreed to."""


class ConsentRevocationCreate(RequestModel):
    vehicle_id: IdIn
    scope: Scope


class ReceiptPublic(BaseModel):
    """A change of consent; `hash` chains it to the owner's previous receipt."""

    id: int
    owner_id: int
    vehicle_id: int
    scope: str
    action: str
    at: Instant
    terms_version: str
    hash: str

    @classmethod
    def of(cls, receipt: Receipt) -> ReceiptPublic:
        return cls(
            id=receipt.id, owner_id=receipt.owner_id, vehicle_id=receipt.vehicle_id,
            scope=receipt.scope, action=receipt.action, at=Instant.of(receipt.at),
            terms_version=receipt.terms_version, hash=hex_of(receipt.hash),
        )


class DeletionPublic(BaseModel):
    """What a revocation erased, chained to the revocation's receipt."""

    id: int
    consent_receipt_id: int
    scope: str
    at: Instant
    items_erased: int
    hash: str

    @classmethod
    def of(cls, deletion: Deletion) -> DeletionPublic:
        return cls(
            id=deletion.id, consent_receipt_id=deletion.consent_receipt_id, scope=deletion.scope,
            at=Instant.of(deletion.at), items_erased=deletion.items_erased,
            hash=hex_of(deletion.hash),
        )


class RevocationPublic(BaseModel):
    receipt: ReceiptPublic
    deletion: DeletionPublic


class ConsentStatePublic(BaseModel):
    vehicle_id: int
    scopes: dict[str, bool]
    """Each scope, and whether it is granted now."""


class ConsentHistoryPublic(BaseModel):
    receipts: list[ReceiptPublic]
    deletions: list[DeletionPublic]
    chain_valid: bool
    """Every receipt hashes to its stored hash and links to the one before."""
