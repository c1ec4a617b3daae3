"""Tables of the registry: owners, vehicles, their keys, and who owned which vehicle when."""

from __future__ import annotations

from sqlalchemy import BigInteger, ForeignKey, Index, Integer, LargeBinary, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from milestone.storage import Base

# SQLite auto-increments only an INTEGER PRIMARY KEY; PostgreSQL gets a 64-bit identity.
Id = BigInteger().with_variant(Integer, "sqlite")


class Owner(Base):
    """An owner account; published only as its pseudonymous address."""

    __tablename__ = "owner"

    id: Mapped[int] = mapped_column(Id, primary_key=True, autoincrement=True)
    address: Mapped[bytes | None] = mapped_column(LargeBinary(20), unique=True)
    created_at: Mapped[int] = mapped_column(BigInteger)
    phone_hash: Mapped[bytes | None] = mapped_column(LargeBinary(32), index=True)
    payment_hash: Mapped[bytes | None] = mapped_column(LargeBinary(32), index=True)


class Vehicle(Base):
    """A vehicle the operator registered; the VIN is for the operator, its hash for the public."""

    __tablename__ = "vehicle"

    id: Mapped[int] = mapped_column(Id, primary_key=True, autoincrement=True)
    vin: Mapped[str] = mapped_column(String(17), unique=True)
    vin_hash: Mapped[bytes] = mapped_column(LargeBinary(32), unique=True)
    model: Mapped[str | None] = mapped_column(String(64))
    registered_at: Mapped[int] = mapped_column(BigInteger)


class VehicleKey(Base):
    """An Ed25519 key a vehicle signs with: added, retired by a rotation, or revoked."""

    __tablename__ = "vehicle_key"
    __table_args__ = (UniqueConstraint("vehicle_id", "serial"),)

    id: Mapped[int] = mapped_column(Id, primary_key=True, autoincrement=True)
    vehicle_id: Mapped[int] = mapped_column(ForeignKey("vehicle.id"), index=True)
    serial: Mapped[int] = mapped_column(Integer)
    public_key: Mapped[bytes] = mapped_column(LargeBinary(32), unique=True)
    added_at: Mapped[int] = mapped_column(BigInteger)
    retired_at: Mapped[int | None] = mapped_column(BigInteger)
    revoked_at: Mapped[int | None] = mapped_column(BigInteger)
    revoke_reason: Mapped[str | None] = mapped_column(String(200))


class Ownership(Base):
    """A vehicle bound to an owner over `[started_at, ended_at)`."""

    __tablename__ = "ownership"
    __table_args__ = (Index("ix_ownership_vehicle_started", "vehicle_id", "started_at"),)

    id: Mapped[int] = mapped_column(Id, primary_key=True, autoincrement=True)
    vehicle_id: Mapped[int] = mapped_column(ForeignKey("vehicle.id"))
    owner_id: Mapped[int] = mapped_column(ForeignKey("owner.id"), index=True)
    started_at: Mapped[int] = mapped_column(BigInteger)
    ended_at: Mapped[int | None] = mapped_column(BigInteger)
