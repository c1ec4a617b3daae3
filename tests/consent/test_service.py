"""Consent: receipts for every change, the owner's hash chain, refusals, history, erasure."""

from __future__ import annotations

import os
from typing import Any

import pytest
from sqlalchemy import select, update

from milestone.clock import ManualClock
from milestone.consent.erasure import registered_erasers
from milestone.consent.errors import (
    ConsentAlreadyGranted,
    ConsentNotGranted,
    InvalidTermsVersion,
    NotVehicleOwner,
    UnknownScope,
)
from milestone.consent.models import ConsentReceipt
from milestone.consent.service import (
    ZERO_HASH,
    consent_at,
    consent_history,
    deletion_hash,
    deletion_history,
    grant_consent,
    receipt_hash,
    revoke_consent,
    verify_receipt_chain,
)
from milestone.registry.owners import create_owner
from milestone.registry.vehicles import transfer_vehicle
from milestone.storage import Database
from milestone.telemetry.erasure import erase_raw_telemetry
from milestone.telemetry.intake import ingest
from milestone.telemetry.models import Trip, TripRejection, TripRound

HOUR = 3_600


def test_grant_and_revoke_return_receipts_chained_per_owner(
    database: Database, clock: ManualClock, enroll: Any
) -> None:
    car = enroll(scopes=())
    with database.transaction() as session:
        granted = grant_consent(session, clock, owner_id=car.owner_id, vehicle_id=car.vehicle_id,
                                scope="mileage", terms_version="2026-01")
        clock.advance(HOUR)
        revocation = revoke_consent(session, clock, owner_id=car.owner_id,
                                    vehicle_id=car.vehicle_id, scope="mileage")
    assert (granted.scope, granted.action, granted.terms_version) == ("mileage", "grant", "2026-01")
    assert granted.hash == receipt_hash(ZERO_HASH, car.owner_id, car.vehicle_id, "mileage",
                                        "grant", granted.at, "2026-01")
    revoked = revocation.receipt
    assert revoked.hash == receipt_hash(granted.hash, car.owner_id, car.vehicle_id, "mileage",
                                        "revoke", granted.at + HOUR, "2026-01")
    deletion = revocation.deletion
    assert deletion.consent_receipt_id == revoked.id
    assert deletion.hash == deletion_hash(revoked.hash, "mileage", revoked.at, 0)
    with database.session() as session:
        assert consent_history(session, car.owner_id) == [granted, revoked]
        assert deletion_history(session, car.owner_id) == [deletion]
        assert verify_receipt_chain(session, car.owner_id)
        assert consent_at(session, car.owner_id, car.vehicle_id, granted.at) == {
            "mileage": True, "driving_behavior": False,
        }
        assert consent_at(session, car.owner_id, car.vehicle_id, revoked.at)["mileage"] is False


def test_a_rewritten_receipt_breaks_the_chain(
    database: Database, clock: ManualClock, enroll: Any
) -> None:
    car = enroll()
    with database.transaction() as session:
        session.execute(
            update(ConsentReceipt).where(ConsentReceipt.scope == "mileage").values(at=0)
        )
    with database.session() as session:
        assert not verify_receipt_chain(session, car.owner_id)


def test_new_terms_are_a_new_receipt_without_a_gap_and_the_same_terms_are_refused(
    database: Database, clock: ManualClock, enroll: Any
) -> None:
    car = enroll(scopes=("mileage",))
    clock.advance(HOUR)
    with database.transaction() as session:
        receipt = grant_consent(session, clock, owner_id=car.owner_id,
                                vehicle_id=car.vehicle_id, scope="mileage",
                                terms_version="2026-07")
    assert receipt.terms_version == "2026-07"
    with database.transaction() as session, pytest.raises(ConsentAlreadyGranted):
        grant_consent(session, clock, owner_id=car.owner_id, vehicle_id=car.vehicle_id,
                      scope="mileage", terms_version="2026-07")
    with database.session() as session:
        # Covered all along: the new terms did not open a gap.
        assert consent_at(session, car.owner_id, car.vehicle_id, clock.now() - 1)["mileage"]


@pytest.mark.parametrize(
    ("changes", "error"),
    [
        ({"scope": "location"}, UnknownScope),
        ({"terms_version": ""}, InvalidTermsVersion),
        ({"terms_version": "x" * 33}, InvalidTermsVersion),
        ({"terms_version": "v1\n"}, InvalidTermsVersion),
        ({"terms_version": 7}, InvalidTermsVersion),
    ],
)
def test_bad_grants_are_refused_with_a_code_and_change_nothing(
    database: Database, clock: ManualClock, enroll: Any, changes: dict[str, Any], error: type
) -> None:
    car = enroll(scopes=())
    arguments = {"owner_id": car.owner_id, "vehicle_id": car.vehicle_id, "scope": "mileage",
                 "terms_version": "2026-01", **changes}
    with database.transaction() as session, pytest.raises(error):
        grant_consent(session, clock, **arguments)
    with database.session() as session:
        assert consent_history(session, car.owner_id) == []


def test_only_the_current_owner_grants_but_a_former_owner_may_revoke(
    database: Database, clock: ManualClock, enroll: Any
) -> None:
    car = enroll(scopes=("mileage",))
    clock.advance(HOUR)
    with database.transaction() as session:
        buyer = create_owner(session, clock)
        transfer_vehicle(session, clock, car.vehicle_id, buyer.id)
    with database.transaction() as session, pytest.raises(NotVehicleOwner):
        grant_consent(session, clock, owner_id=car.owner_id, vehicle_id=car.vehicle_id,
                      scope="driving_behavior", terms_version="2026-01")
    with database.transaction() as session:
        revoke_consent(session, clock, owner_id=car.owner_id, vehicle_id=car.vehicle_id,
                       scope="mileage")
        with pytest.raises(ConsentNotGranted):
            revoke_consent(session, clock, owner_id=car.owner_id, vehicle_id=car.vehicle_id,
                           scope="mileage")


def test_the_telemetry_eraser_is_registered() -> None:
    assert erase_raw_telemetry in registered_erasers()


def trip(car: Any, hour: int, odometer: int) -> bytes:
    from milestone.rules.reports import TripBehaviour

    return car.signer.report_trip(
        trip_id=os.urandom(16),
        started_at=car.since + hour * HOUR,
        ended_at=car.since + hour * HOUR + 1_800,
        odometer_start_m=odometer,
        odometer_end_m=odometer + 20_000,
        distance_m=20_000,
        behaviour=TripBehaviour(1, 0, 60),
    )


def test_revoking_mileage_erases_raw_telemetry_and_keeps_the_round_meters(
    database: Database, clock: ManualClock, enroll: Any
) -> None:
    car = enroll()
    car.since = clock.now()
    clock.advance(6 * HOUR)
    verdicts = ingest(database, clock, [trip(car, 1, 0), trip(car, 3, 20_000)])
    assert all(v.accepted for v in verdicts)
    with database.session() as session:
        kept = session.execute(select(Trip.envelope, Trip.started_at)).all()
        assert all(envelope is not None and started is not None for envelope, started in kept)
        meters_before = session.execute(select(TripRound.meters)).scalars().all()
    with database.transaction() as session:
        revocation = revoke_consent(session, clock, owner_id=car.owner_id,
                                    vehicle_id=car.vehicle_id, scope="mileage")
    assert revocation.deletion.items_erased == 2
    with database.session() as session:
        rows = session.execute(
            select(Trip.started_at, Trip.ended_at, Trip.odometer_start_m, Trip.odometer_end_m,
                   Trip.firmware, Trip.envelope, Trip.raw_erased_at)
        ).all()
        assert rows == [(None,) * 6 + (clock.now(),)] * 2
        assert session.execute(select(TripRound.meters)).scalars().all() == meters_before
    # A further report is refused and its bytes are not kept.
    clock.advance(2 * HOUR)
    refused = ingest(database, clock, [trip(car, 7, 40_000)])[0]
    assert refused.code == "no_mileage_consent"
    with database.session() as session:
        assert session.execute(select(TripRejection.envelope)).scalars().all() == [None]


def test_revoking_behaviour_erases_the_summaries_and_the_envelopes_carrying_them(
    database: Database, clock: ManualClock, enroll: Any
) -> None:
    car = enroll()
    car.since = clock.now()
    clock.advance(6 * HOUR)
    assert ingest(database, clock, [trip(car, 1, 0)])[0].accepted
    with database.session() as session:
        assert session.execute(select(Trip.harsh_brakes)).scalars().all() == [1]
        (bps,) = session.execute(select(TripRound.behaviour_bps).distinct()).scalars()
        assert 10_000 <= bps < 12_000  # a harsh brake and a minute of speeding cost the bonus
    with database.transaction() as session:
        revocation = revoke_consent(session, clock, owner_id=car.owner_id,
                                    vehicle_id=car.vehicle_id, scope="driving_behavior")
    assert revocation.deletion.items_erased == 1
    with database.session() as session:
        assert session.execute(select(Trip.harsh_brakes)).scalars().all() == [None]
        assert session.execute(select(Trip.envelope)).scalars().all() == [None]
        assert session.execute(select(Trip.started_at)).scalars().all() != [None]
        # The multiplier earned under consent is an aggregate: it stays.
        assert session.execute(select(TripRound.behaviour_bps).distinct()).scalars().all() == [bps]
    # Later trips: mined at 1.00, no summary kept, no envelope (it carries the summary).
    clock.advance(2 * HOUR)
    assert ingest(database, clock, [trip(car, 7, 20_000)])[0].accepted
    with database.session() as session:
        multipliers = session.execute(
            select(TripRound.behaviour_bps).where(TripRound.sequence == 2)
        ).scalars().all()
        assert multipliers and set(multipliers) == {None}
        latest = session.execute(
            select(Trip).where(Trip.vehicle_id == car.vehicle_id, Trip.sequence == 2)
        ).scalar_one_or_none()
        assert latest is not None and latest.envelope is None and latest.harsh_brakes is None


def test_a_late_report_of_a_trip_inside_a_revoked_grant_counts_but_keeps_no_raw_data(
    database: Database, clock: ManualClock, enroll: Any
) -> None:
    car = enroll(scopes=("mileage",))
    car.since = clock.now()
    envelope = trip(car, 1, 0)  # driven 01:00-01:30 under consent
    clock.advance(2 * HOUR)
    with database.transaction() as session:
        revoke_consent(session, clock, owner_id=car.owner_id, vehicle_id=car.vehicle_id,
                       scope="mileage")
    clock.advance(HOUR)
    assert ingest(database, clock, [envelope])[0].accepted
    with database.session() as session:
        row = session.execute(select(Trip)).scalar_one()
        assert (row.counted_m, row.envelope, row.started_at, row.odometer_end_m) == (
            20_000, None, None, None,
        )
