"""Enrolling vehicles in bulk from the factory's CSV: every row checked, then all or nothing.

The file has a header naming its columns, `vin` and `public_key` (64 hex digits) required,
`model` optional, in any order. Every row is checked as `register_vehicle` checks one vehicle
(VIN, key a point of Ed25519, model length), and against the rest of the file and the registry
(a VIN or a key already there, or twice in the file); each bad row is reported with its line
and code, and then nothing is written. A good file goes in as two multi-row inserts inside the
caller's transaction.

Registering one vehicle at a time costs 6 to 9.5 ms of CPU, almost all of it around the few
bytes written: 19 statements a vehicle through the ORM (each flush its own round trip), the
program row read and its parameters parsed from JSON twice (for the VIN salt), and a consent
receipt each. Here the salt is read once, the registry is asked about a whole chunk of VINs
and keys in one query each, and the rows go out as the driver's own multi-row writes (`COPY`
on PostgreSQL). What is left is mostly the key check: libsodium's point validation proves the
point is on the curve and in the prime-order subgroup, a scalar multiplication per key
(`validate_public_key`).
"""

from __future__ import annotations

import csv
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any, Final, cast

from sqlalchemy import Table, select
from sqlalchemy.orm import Session

from milestone.clock import Clock
from milestone.errors import MilestoneError
from milestone.program.service import load_program
from milestone.registry.errors import InvalidField, InvalidPublicKey
from milestone.registry.models import Vehicle, VehicleKey
from milestone.registry.vehicles import MAX_MODEL_LENGTH, validate_public_key
from milestone.registry.vin import InvalidVin, hash_vin, normalize_vin
from milestone.storage.bulk import insert_rows, select_where_in

REQUIRED_COLUMNS: Final = ("vin", "public_key")
OPTIONAL_COLUMNS: Final = ("model",)
CHUNK: Final[int] = 2_000
"""Keys per IN list (under SQLite's limit of bound parameters per statement)."""


@dataclass(frozen=True)
class RowError:
    """Why one line of the file was refused."""

    line: int
    code: str
    message: str

    def to_dict(self) -> dict[str, Any]:
        return {"line": self.line, "code": self.code, "message": self.message}


class VehicleImportRefused(MilestoneError):
    """The file has bad rows: each is listed, and nothing of the file was imported."""

    code = "vehicle_import_refused"
    http_status = 422

    def __init__(self, errors: Sequence[RowError]) -> None:
        first = errors[0]
        super().__init__(
            f"{len(errors)} bad row(s), nothing imported; first: line {first.line}: "
            f"{first.message} [{first.code}]",
            errors=[error.to_dict() for error in errors],
        )
        self.errors = list(errors)


@dataclass(frozen=True)
class VehicleRow:
    """A row of the file, checked."""

    line: int
    vin: str
    public_key: bytes
    model: str | None


@dataclass(frozen=True)
class ImportReport:
    vehicles: int
    first_id: int | None
    last_id: int | None

    def to_dict(self) -> dict[str, Any]:
        return {"vehicles": self.vehicles, "first_id": self.first_id, "last_id": self.last_id}


def read_vehicle_rows(lines: Iterable[str]) -> tuple[list[VehicleRow], list[RowError]]:
    """The rows of a CSV file that pass every check on their own, and an error for each that
    does not (line 1 is the header)."""
    reader = csv.reader(iter(lines))
    header = [name.strip().lower() for name in next(reader, [])]
    missing = [name for name in REQUIRED_COLUMNS if name not in header]
    unknown = [name for name in header if name not in REQUIRED_COLUMNS + OPTIONAL_COLUMNS]
    if missing or unknown or len(set(header)) != len(header):
        return [], [RowError(1, "invalid_csv_header", (
            f"the header must name vin and public_key (model optional), each once; "
            f"got {','.join(header) or 'nothing'}"
        ))]  # fmt: skip
    rows, errors = [], []
    for values in reader:
        line = reader.line_num
        if not values or all(not value.strip() for value in values):
            continue
        if len(values) != len(header):
            errors.append(RowError(line, "invalid_csv_row", (
                f"{len(values)} values for {len(header)} columns"
            )))  # fmt: skip
            continue
        fields = dict(zip(header, values, strict=True))
        try:
            rows.append(check_row(line, fields))
        except (InvalidVin, InvalidPublicKey, InvalidField) as error:
            errors.append(RowError(line, error.code, error.message))
    return rows, errors


def check_row(line: int, fields: dict[str, str]) -> VehicleRow:
    """The row's VIN, key and model, as `register_vehicle` would accept them."""
    vin = normalize_vin(fields["vin"])
    try:
        public_key = bytes.fromhex(fields["public_key"].strip().removeprefix("0x"))
    except ValueError:
        raise InvalidPublicKey("the public key is not hexadecimal") from None
    public_key = validate_public_key(public_key)
    model = (fields.get("model") or "").strip() or None
    if model is not None and len(model) > MAX_MODEL_LENGTH:
        raise InvalidField(f"a model name is 1 to {MAX_MODEL_LENGTH} characters")
    return VehicleRow(line, vin, public_key, model)


def find_conflicts(session: Session, rows: Sequence[VehicleRow]) -> list[RowError]:
    """Rows whose VIN or key is registered already, or appears earlier in the file."""
    errors = []
    first_vin: dict[str, int] = {}
    first_key: dict[bytes, int] = {}
    for row in rows:
        if (earlier := first_vin.setdefault(row.vin, row.line)) != row.line:
            errors.append(RowError(row.line, "vin_already_registered",
                                   f"VIN {row.vin} is on line {earlier} too"))  # fmt: skip
        if (earlier := first_key.setdefault(row.public_key, row.line)) != row.line:
            errors.append(RowError(row.line, "public_key_in_use",
                                   f"this public key is on line {earlier} too"))  # fmt: skip
    for part in chunks(list(first_vin)):
        for (vin,) in session.execute(select(Vehicle.vin).where(Vehicle.vin.in_(part))):
            errors.append(RowError(first_vin[vin], "vin_already_registered",
                                   f"VIN {vin} is already registered"))  # fmt: skip
    for part in chunks(list(first_key)):
        query = select(VehicleKey.public_key).where(VehicleKey.public_key.in_(part))
        for (key,) in session.execute(query):
            errors.append(RowError(first_key[bytes(key)], "public_key_in_use",
                                   "this public key is already registered"))  # fmt: skip
    return errors


def import_vehicles(session: Session, clock: Clock, lines: Iterable[str]) -> ImportReport:
    """Register every vehicle of the CSV `lines` with its key (serial 1), in the caller's
    transaction; `VehicleImportRefused`, listing every bad row, if any row is bad."""
    rows, errors = read_vehicle_rows(lines)
    errors += find_conflicts(session, rows)
    if errors:
        raise VehicleImportRefused(sorted(errors, key=lambda error: error.line))
    if not rows:
        return ImportReport(0, None, None)
    salt = load_program(session).pseudonym_salt
    now = clock.now()
    insert_rows(session, table_of(Vehicle), ("vin", "vin_hash", "model", "registered_at"), [
        (row.vin, hash_vin(salt, row.vin), row.model, now) for row in rows
    ])  # fmt: skip
    vins = [row.vin for row in rows]
    id_of = dict(select_where_in(session, table_of(Vehicle), ("vin", "id"), "vin", vins))
    ids = [id_of[vin] for vin in vins]
    insert_rows(session, table_of(VehicleKey), ("vehicle_id", "serial", "public_key", "added_at"), [
        (vehicle_id, 1, row.public_key, now) for vehicle_id, row in zip(ids, rows, strict=True)
    ])  # fmt: skip
    return ImportReport(len(ids), min(ids), max(ids))


def table_of(model: type[Vehicle] | type[VehicleKey]) -> Table:
    return cast(Table, model.__table__)


def chunks(values: list[Any]) -> Iterator[list[Any]]:
    for start in range(0, len(values), CHUNK):
        yield values[start : start + CHUNK]
