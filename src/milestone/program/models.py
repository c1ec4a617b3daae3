"""The `program` table: a single row written once by `milestone init`."""

from __future__ import annotations

from sqlalchemy import BigInteger, CheckConstraint, Integer, LargeBinary, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from milestone.storage.base import Base

PROGRAM_ID = 1


class ProgramRecord(Base):
    """Preset, canonical parameters and genesis of the program; never updated after init."""

    __tablename__ = "program"
    __table_args__ = (CheckConstraint(f"id = {PROGRAM_ID}", name="single_row"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    preset: Mapped[str] = mapped_column(String(64))
    parameters: Mapped[str] = mapped_column(Text)
    """Canonical JSON of every parameter (sorted keys, no spaces), as hashed."""
    parameters_hash: Mapped[bytes] = mapped_column(LargeBinary(32))
    """keccak256 of `parameters`, quoted in the genesis journal entry."""
    genesis: Mapped[int] = mapped_column(BigInteger)
    """UTC midnight starting epoch 0, Unix seconds."""
    epoch_seconds: Mapped[int] = mapped_column(BigInteger)
    """Copied out of the parameters: the ledger stamps every entry with its epoch."""
    total_supply: Mapped[int] = mapped_column(BigInteger)
    created_at: Mapped[int] = mapped_column(BigInteger)
    pseudonym_salt: Mapped[bytes] = mapped_column(LargeBinary(32))
    """Random secret from which owners' pseudonymous EVM addresses are derived."""
