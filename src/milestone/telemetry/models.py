"""Tables of telemetry: accepted trips and their per-round meters, rejections, and where each
vehicle's report chain stands.

Columns marked raw hold telemetry of the `mileage` or the `driving_behavior` scope; a
revocation of the scope erases them. The rest (who, which round, how many meters) is
the pseudonymous aggregate that settlement and audit need, and stays.
"""

from __future__ import annotations

from sqlalchemy import (
    BigInteger,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from milestone.storage import Base

Id = BigInteger().with_variant(Integer, "sqlite")


class Trip(Base):
    """An accepted trip report, identified by its vehicle and sequence number.

    `trip` and `trip_round` carry no foreign keys: the intake writes them together, in one
    transaction, from vehicle and owner rows it has just read under lock, and per-row
    foreign-key checks doubled PostgreSQL's cost of a report (`milestone bench ingest`).
    `find_orphans` in `milestone.telemetry.queries` checks the references instead.

    `epoch` is the epoch of the trip's last second (`trip_epoch`): every meter of the trip
    counts in it or before it, so once that epoch is past the dispute window the whole trip
    is (retention, storage.md). On PostgreSQL the table is partitioned by it, and a
    partitioned table's unique keys must hold the partition key: the epoch is part of each.
    It changes nothing for a report, whose epoch is fixed by its own instants, and the intake
    keeps a vehicle's sequence numbers unique under the vehicle's lock.
    """

    __tablename__ = "trip"
    __table_args__ = (
        UniqueConstraint("report_trip_id", "vehicle_id", "epoch"),
        UniqueConstraint("report_hash", "epoch"),
        {"postgresql_partition_by": "RANGE (epoch)"},
    )

    vehicle_id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    sequence: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    epoch: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    report_hash: Mapped[bytes] = mapped_column(LargeBinary(32))
    owner_id: Mapped[int] = mapped_column(BigInteger)
    report_trip_id: Mapped[bytes] = mapped_column(LargeBinary(16))
    distance_m: Mapped[int] = mapped_column(BigInteger)
    counted_m: Mapped[int] = mapped_column(BigInteger)
    received_at: Mapped[int] = mapped_column(BigInteger)
    # raw (mileage scope)
    started_at: Mapped[int | None] = mapped_column(BigInteger)
    ended_at: Mapped[int | None] = mapped_column(BigInteger)
    odometer_start_m: Mapped[int | None] = mapped_column(BigInteger)
    odometer_end_m: Mapped[int | None] = mapped_column(BigInteger)
    firmware: Mapped[str | None] = mapped_column(String(16))
    envelope: Mapped[bytes | None] = mapped_column(LargeBinary)
    raw_erased_at: Mapped[int | None] = mapped_column(BigInteger)
    # raw (driving_behavior scope): the behaviour summary, None without consent
    harsh_brakes: Mapped[int | None] = mapped_column(BigInteger)
    harsh_accelerations: Mapped[int | None] = mapped_column(BigInteger)
    speeding_seconds: Mapped[int | None] = mapped_column(BigInteger)


class TripRound(Base):
    """The meters of a trip that count in one drop round, and the behaviour multiplier earned
    under `driving_behavior` consent (None without it).

    The key is the only index and serves both readers: settlement reads one epoch (the key's
    prefix), the per-epoch cap reads a few vehicles in one or two epochs (`epoch IN … AND
    vehicle_id IN …`, seeks on the key's first two columns).
    """

    __tablename__ = "trip_round"
    __table_args__ = (
        {"sqlite_with_rowid": False, "postgresql_partition_by": "RANGE (epoch)"},
    )

    epoch: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    vehicle_id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    round: Mapped[int] = mapped_column(Integer, primary_key=True)
    sequence: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    owner_id: Mapped[int] = mapped_column(BigInteger)
    meters: Mapped[int] = mapped_column(BigInteger)
    behaviour_bps: Mapped[int | None] = mapped_column(Integer)


class TripRejection(Base):
    """A refused report and why, for the operator and for appeals.

    The envelope is kept as evidence, except when the refusal is the lack of consent (then it
    is telemetry the owner never allowed) or the bytes are too large to be a report.

    `epoch` is the epoch the report was judged in (its `received_at`, 0 before genesis): once
    that epoch is past the dispute window, so is any appeal, and retention deletes the row.
    Not partitioned: rejections are few, and SQLite numbers rows only on a one-column key.
    """

    __tablename__ = "trip_rejection"
    __table_args__ = (Index("ix_trip_rejection_vehicle_received", "vehicle_id", "received_at"),)

    id: Mapped[int] = mapped_column(Id, primary_key=True, autoincrement=True)
    report_hash: Mapped[bytes] = mapped_column(LargeBinary(32), unique=True)
    received_at: Mapped[int] = mapped_column(BigInteger)
    epoch: Mapped[int] = mapped_column(BigInteger, index=True)
    code: Mapped[str] = mapped_column(String(32), index=True)
    detail: Mapped[str] = mapped_column(String(300))
    vehicle_id: Mapped[int | None] = mapped_column(BigInteger)
    owner_id: Mapped[int | None] = mapped_column(BigInteger)
    sequence: Mapped[int | None] = mapped_column(BigInteger)
    report_trip_id: Mapped[bytes | None] = mapped_column(LargeBinary(16))
    envelope: Mapped[bytes | None] = mapped_column(LargeBinary)


class VehicleCursor(Base):
    """Where the vehicle's chain of authentic reports stands: the next report must continue it.

    Kept for every authentic report, consented or not: without it a replayed or rolled-back
    report could not be told from a real one.
    """

    __tablename__ = "vehicle_cursor"

    vehicle_id: Mapped[int] = mapped_column(ForeignKey("vehicle.id"), primary_key=True)
    sequence: Mapped[int] = mapped_column(BigInteger)
    ended_at: Mapped[int] = mapped_column(BigInteger)
    odometer_end_m: Mapped[int] = mapped_column(BigInteger)


class ClosedEpoch(Base):
    """An epoch whose driving settlement has frozen: the intake refuses any more of it.

    Settlement's `freeze` step records it (`milestone.telemetry.closure.close_epoch`) before
    it reads the epoch's trips; epochs close in order, so the last one bounds them all.
    """

    __tablename__ = "closed_epoch"

    epoch: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    inputs_cutoff: Mapped[int] = mapped_column(BigInteger)
    closed_at: Mapped[int] = mapped_column(BigInteger)


class PrunedEpoch(Base):
    """An epoch whose per-trip rows retention removed past the dispute window: the totals the
    operator's figures still need, and how much was freed (`milestone.epochs.retention`)."""

    __tablename__ = "pruned_epoch"

    epoch: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    pruned_at: Mapped[int] = mapped_column(BigInteger)
    trips: Mapped[int] = mapped_column(BigInteger)
    counted_m: Mapped[int] = mapped_column(BigInteger)
    rejections: Mapped[int] = mapped_column(BigInteger)
    rows: Mapped[int] = mapped_column(BigInteger)
    """Every row removed for the epoch: trips, their round shares, rejections, weights."""
    bytes_freed: Mapped[int] = mapped_column(BigInteger)
