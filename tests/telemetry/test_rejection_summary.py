"""The operator's summary of refused reports: counted over every kept row, grouped by kind,
code and vehicle, consent refusals and program limits apart from failed integrity checks."""

from __future__ import annotations

import hashlib
import itertools

from milestone.storage import Database
from milestone.telemetry.models import TripRejection
from milestone.telemetry.rejection_summary import rejection_kind, summarise_rejections

GENESIS = 1_767_225_600
serial = itertools.count()


def refuse(database: Database, code: str, vehicle_id: int | None, times: int, at: int) -> None:
    with database.transaction() as session:
        for _ in range(times):
            n = next(serial)
            session.add(TripRejection(
                report_hash=hashlib.sha256(f"report {n}".encode()).digest(), received_at=at,
                epoch=0, code=code, detail=code, vehicle_id=vehicle_id, owner_id=None,
                sequence=n, report_trip_id=None, envelope=None,
            ))


def test_kinds_keep_consent_and_limits_apart_from_integrity() -> None:
    assert rejection_kind("no_mileage_consent") == "consent"
    assert rejection_kind("epoch_closed") == rejection_kind("epoch_cap_reached") == "limit"
    assert rejection_kind("bad_signature") == rejection_kind("over_speed") == "integrity"


def test_the_summary_counts_every_row_not_the_latest_page(database: Database) -> None:
    # Vehicle 7's forgeries came first, then 300 consent refusals from vehicle 3: a summary
    # over the latest 200 rows would not see vehicle 7 at all.
    refuse(database, "bad_signature", 7, 40, GENESIS)
    refuse(database, "over_speed", 7, 2, GENESIS)
    refuse(database, "over_speed", 5, 5, GENESIS + 10)
    refuse(database, "epoch_closed", 5, 1, GENESIS + 10)
    refuse(database, "malformed_report", None, 3, GENESIS + 20)
    refuse(database, "no_mileage_consent", 3, 300, GENESIS + 30)
    with database.session() as session:
        summary = summarise_rejections(session, vehicles=3)
        later = summarise_rejections(session, since=GENESIS + 10)
    assert summary.total == 351
    assert summary.by_kind == {"integrity": 50, "consent": 300, "limit": 1}
    assert [(row.code, row.kind, row.count) for row in summary.by_code] == [
        ("no_mileage_consent", "consent", 300), ("bad_signature", "integrity", 40),
        ("over_speed", "integrity", 7), ("malformed_report", "integrity", 3),
        ("epoch_closed", "limit", 1),
    ]
    # Most integrity refusals first: vehicle 3's 300 are the owner's choice, so it comes last.
    assert [(v.vehicle_id, v.count, v.integrity, v.consent) for v in summary.by_vehicle] == [
        (7, 42, 42, 0), (5, 6, 5, 0), (None, 3, 3, 0),
    ]
    assert summary.vehicles == 4
    assert later.total == 309 and later.by_kind["integrity"] == 8
