"""Bodies of telemetry: batches of signed reports, verdicts, trips and rejections."""

from __future__ import annotations

from typing import Annotated

from pydantic import BaseModel, Field

from milestone.api.schemas.common import Instant, hex_of, optional_hex, optional_instant
from milestone.api.schemas.requests import RequestModel
from milestone.telemetry.models import Trip
from milestone.telemetry.queries import RejectionView
from milestone.telemetry.rejection_summary import RejectionKind, RejectionSummary
from milestone.telemetry.verify import Verdict

MAX_BATCH = 1_000
MAX_ITEM_CHARS = 4_096

ReportItem = Annotated[str, Field(max_length=MAX_ITEM_CHARS)]


class BatchCreate(RequestModel):
    """Signed trip reports, each an envelope (body and Ed25519 signature) as 0x-hex."""

    reports: list[ReportItem] = Field(min_length=1, max_length=MAX_BATCH)


class VerdictPublic(BaseModel):
    index: int
    code: str
    """`accepted`, or the stable code of the first check the report failed (docs/telemetry.md:
    `bad_signature`, `odometer_gap`, `epoch_closed`, ...)."""
    accepted: bool
    detail: str
    report_hash: str | None
    vehicle_id: int | None
    sequence: int | None
    trip_id: str | None
    replayed: bool
    """The same envelope was judged before; this is its original verdict."""

    @classmethod
    def of(cls, verdict: Verdict) -> VerdictPublic:
        return cls(
            index=verdict.position, code=verdict.code, accepted=verdict.accepted,
            detail=verdict.detail, report_hash=optional_hex(verdict.report_hash),
            vehicle_id=verdict.vehicle_id, sequence=verdict.sequence,
            trip_id=optional_hex(verdict.trip_id), replayed=verdict.replayed,
        )


class BatchPublic(BaseModel):
    accepted: int
    rejected: int
    verdicts: list[VerdictPublic]


class ExplainPublic(BaseModel):
    failures: list[list[str]]
    """For each report, every check it fails now (empty: it would be accepted)."""


class TripPublic(BaseModel):
    vehicle_id: int
    sequence: int
    trip_id: str
    distance_m: int
    counted_m: int
    """Meters that count toward mining after the caps."""
    received_at: Instant
    started_at: Instant | None
    """Null once the owner revoked the mileage consent and the raw data was erased."""
    ended_at: Instant | None

    @classmethod
    def of(cls, trip: Trip) -> TripPublic:
        return cls(
            vehicle_id=trip.vehicle_id, sequence=trip.sequence,
            trip_id="0x" + bytes(trip.report_trip_id).hex(), distance_m=trip.distance_m,
            counted_m=trip.counted_m, received_at=Instant.of(trip.received_at),
            started_at=optional_instant(trip.started_at), ended_at=optional_instant(trip.ended_at),
        )


class RejectionPublic(BaseModel):
    id: int
    code: str
    detail: str
    received_at: Instant
    report_hash: str
    vehicle_id: int | None
    owner_id: int | None
    sequence: int | None
    has_envelope: bool
    """The refused bytes are kept as evidence (not when consent was missing)."""

    @classmethod
    def of(cls, rejection: RejectionView) -> RejectionPublic:
        return cls(
            id=rejection.id, code=rejection.code, detail=rejection.detail,
            received_at=Instant.of(rejection.received_at),
            report_hash=hex_of(rejection.report_hash), vehicle_id=rejection.vehicle_id,
            owner_id=rejection.owner_id,
            sequence=rejection.sequence, has_envelope=rejection.has_envelope,
        )


class RejectionCodePublic(BaseModel):
    code: str
    kind: RejectionKind
    count: int


class RejectionVehiclePublic(BaseModel):
    vehicle_id: int | None
    """None gathers the reports from no known vehicle."""
    count: int
    integrity: int
    consent: int


class RejectionSummaryPublic(BaseModel):
    """Refused reports counted on the server over every kept row."""

    total: int
    by_kind: dict[RejectionKind, int]
    """`integrity` (forged, replayed, impossible: look into these), `consent` (the owner's
    choice, no fault) and `limit` (the epoch closed or its cap reached)."""
    by_code: list[RejectionCodePublic]
    """Most refused first."""
    by_vehicle: list[RejectionVehiclePublic]
    """Most integrity refusals first, then most refusals; at most the number asked."""
    vehicles: int
    """How many vehicles had a report refused."""

    @classmethod
    def of(cls, summary: RejectionSummary) -> RejectionSummaryPublic:
        return cls(
            total=summary.total, by_kind=summary.by_kind, vehicles=summary.vehicles,
            by_code=[
                RejectionCodePublic(code=row.code, kind=row.kind, count=row.count)
                for row in summary.by_code
            ],
            by_vehicle=[
                RejectionVehiclePublic(
                    vehicle_id=row.vehicle_id, count=row.count, integrity=row.integrity,
                    consent=row.consent,
                )
                for row in summary.by_vehicle
            ],
        )


class RejectionsPublic(BaseModel):
    rejections: list[RejectionPublic]
    """Newest first."""
    counts: dict[str, int]
    """Rejections by code (since the instant asked, else ever)."""
