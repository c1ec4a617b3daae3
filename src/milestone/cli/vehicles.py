"""`milestone owner` and `milestone vehicle`: the operator's registry commands."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Annotated, Any, TypeVar

import typer
from sqlalchemy.orm import Session

from milestone.cli.common import (
    DatabaseUrlOption,
    DataDirOption,
    JsonOption,
    open_from_options,
    reported_errors,
)
from milestone.clock import Clock, SystemClock
from milestone.registry.errors import InvalidPublicKey
from milestone.registry.imports import ImportReport, VehicleImportRefused, import_vehicles
from milestone.registry.owners import create_owner
from milestone.registry.vehicles import (
    get_vehicle,
    key_history,
    ownership_history,
    register_vehicle,
    release_vehicle,
    revoke_key,
    rotate_key,
    transfer_vehicle,
)
from milestone.vehicle import generate_signing_key

owners = typer.Typer(help="Owner accounts.", no_args_is_help=True)
vehicles = typer.Typer(
    help="Vehicles: registration, keys, ownership.", no_args_is_help=True
)

T = TypeVar("T")
PublicKeyOption = Annotated[
    str, typer.Option("--public-key", help="The vehicle's Ed25519 public key, 64 hex digits.")
]


def in_transaction(
    data_dir: Any, database_url: Any, work: Callable[[Session], T]
) -> T:
    """Run `work` in one committed transaction of the configured database."""
    database = open_from_options(data_dir, database_url)
    try:
        return database.run(work)
    finally:
        database.dispose()


def change_registry(
    data_dir: Any, database_url: Any, change: Callable[[Session, Clock], T]
) -> T:
    """Make `change` now, in one committed transaction; a refusal ends the command with its
    one line."""
    clock = SystemClock()
    with reported_errors():
        return in_transaction(data_dir, database_url, lambda session: change(session, clock))


def parse_public_key(text: str) -> bytes:
    try:
        return bytes.fromhex(text.removeprefix("0x"))
    except ValueError:
        raise InvalidPublicKey("the public key must be 64 hex digits") from None


def emit(payload: dict[str, Any], json_output: bool, line: str) -> None:
    typer.echo(json.dumps(payload, indent=2) if json_output else line)


@owners.command("create")
def owner_create(
    phone: Annotated[str | None, typer.Option(help="Verified phone number (E.164).")] = None,
    payment: Annotated[str | None, typer.Option(help="Verified payment account.")] = None,
    json_output: JsonOption = False,
    data_dir: DataDirOption = None,
    database_url: DatabaseUrlOption = None,
) -> None:
    """Open an owner account; prints its id and pseudonymous address."""
    owner = change_registry(
        data_dir, database_url,
        lambda session, clock: create_owner(session, clock, phone=phone, payment=payment),
    )
    address = "0x" + (owner.address or b"").hex()
    emit({"owner_id": owner.id, "address": address}, json_output,
         f"owner {owner.id} address {address}")


@vehicles.command("keygen")
def keygen(json_output: JsonOption = False) -> None:
    """A fresh Ed25519 key pair, as the factory provisions one (for tests and simulations)."""
    key = generate_signing_key()
    payload = {"seed": bytes(key).hex(), "public_key": bytes(key.verify_key).hex()}
    emit(payload, json_output, f"seed {payload['seed']}\npublic key {payload['public_key']}")


@vehicles.command("register")
def register(
    vin: Annotated[str, typer.Option(help="The 17-character VIN.")],
    public_key: PublicKeyOption,
    model: Annotated[str | None, typer.Option(help="Model name.")] = None,
    owner: Annotated[int | None, typer.Option(help="Bind to this owner at once.")] = None,
    json_output: JsonOption = False,
    data_dir: DataDirOption = None,
    database_url: DatabaseUrlOption = None,
) -> None:
    """Register a vehicle with its VIN and factory key (and optionally its first owner)."""

    def work(session: Session, clock: Clock) -> tuple[int, str]:
        vehicle = register_vehicle(
            session, clock, vin=vin, public_key=parse_public_key(public_key), model=model
        )
        if owner is not None:
            transfer_vehicle(session, clock, vehicle.id, owner)
        return vehicle.id, "0x" + vehicle.vin_hash.hex()

    vehicle_id, vin_hash = change_registry(data_dir, database_url, work)
    emit({"vehicle_id": vehicle_id, "vin_hash": vin_hash}, json_output,
         f"vehicle {vehicle_id} registered, published as {vin_hash}")


@vehicles.command("import")
def import_file(
    file: Annotated[
        Path,
        typer.Argument(
            help="CSV with a header: vin, public_key (64 hex digits), model (optional).",
            exists=True, dir_okay=False, readable=True,
        ),
    ],
    json_output: JsonOption = False,
    data_dir: DataDirOption = None,
    database_url: DatabaseUrlOption = None,
) -> None:
    """Register every vehicle of FILE with its key, in one transaction: a bad row anywhere
    (each is listed with its line and code) and nothing is imported."""

    def work(session: Session, clock: Clock) -> ImportReport:
        with file.open(newline="", encoding="utf-8") as lines:
            return import_vehicles(session, clock, lines)

    clock = SystemClock()
    with reported_errors():
        try:
            report = in_transaction(data_dir, database_url, lambda session: work(session, clock))
        except VehicleImportRefused as refused:
            if json_output:
                typer.echo(json.dumps({"code": refused.code, "errors": refused.details["errors"]}))
            for error in refused.errors:
                typer.echo(f"line {error.line}: {error.message} [{error.code}]", err=True)
            typer.echo(f"error: {refused.message} [{refused.code}]", err=True)
            raise typer.Exit(1) from None
    emit(report.to_dict(), json_output,
         f"{report.vehicles:,} vehicles imported (ids {report.first_id}..{report.last_id})")


@vehicles.command("transfer")
def transfer(
    vehicle_id: Annotated[int, typer.Argument(help="The vehicle.")],
    to: Annotated[int, typer.Option("--to", help="The new owner.")],
    data_dir: DataDirOption = None,
    database_url: DatabaseUrlOption = None,
) -> None:
    """Bind the vehicle to a new owner from now; the previous binding ends now."""
    binding = change_registry(
        data_dir, database_url,
        lambda session, clock: transfer_vehicle(session, clock, vehicle_id, to),
    )
    typer.echo(f"vehicle {vehicle_id} owned by {binding.owner_id} from {binding.started_at}")


@vehicles.command("release")
def release(
    vehicle_id: Annotated[int, typer.Argument(help="The vehicle.")],
    data_dir: DataDirOption = None,
    database_url: DatabaseUrlOption = None,
) -> None:
    """End the current ownership now (sold outside the program, scrapped)."""
    binding = change_registry(
        data_dir, database_url,
        lambda session, clock: release_vehicle(session, clock, vehicle_id),
    )
    typer.echo(f"vehicle {vehicle_id} released by owner {binding.owner_id} at {binding.ended_at}")


@vehicles.command("rotate-key")
def rotate(
    vehicle_id: Annotated[int, typer.Argument(help="The vehicle.")],
    public_key: PublicKeyOption,
    data_dir: DataDirOption = None,
    database_url: DatabaseUrlOption = None,
) -> None:
    """Retire the active key now and make the given key the next one."""
    key = change_registry(
        data_dir, database_url,
        lambda session, clock: rotate_key(session, clock, vehicle_id, parse_public_key(public_key)),
    )
    typer.echo(f"vehicle {vehicle_id} signs with key {key.serial} from {key.added_at}")


@vehicles.command("revoke-key")
def revoke(
    vehicle_id: Annotated[int, typer.Argument(help="The vehicle.")],
    reason: Annotated[str, typer.Option(help="Why (kept with the key).")],
    serial: Annotated[int | None, typer.Option(help="Key serial; default the active key.")] = None,
    data_dir: DataDirOption = None,
    database_url: DatabaseUrlOption = None,
) -> None:
    """Revoke a key from now: every report it signed and not yet judged is refused."""
    key = change_registry(
        data_dir, database_url,
        lambda session, clock: revoke_key(session, clock, vehicle_id, serial=serial, reason=reason),
    )
    typer.echo(f"key {key.serial} of vehicle {vehicle_id} revoked at {key.revoked_at}")


@vehicles.command("show")
def show(
    vehicle_id: Annotated[int, typer.Argument(help="The vehicle.")],
    json_output: JsonOption = False,
    data_dir: DataDirOption = None,
    database_url: DatabaseUrlOption = None,
) -> None:
    """The vehicle, its keys and its owners over time."""
    with reported_errors():
        database = open_from_options(data_dir, database_url)
        try:
            with database.session() as session:
                vehicle = get_vehicle(session, vehicle_id)
                payload = {
                    "vehicle_id": vehicle.id,
                    "vin": vehicle.vin,
                    "vin_hash": "0x" + vehicle.vin_hash.hex(),
                    "model": vehicle.model,
                    "registered_at": vehicle.registered_at,
                    "keys": [
                        {"serial": k.serial, "public_key": k.public_key.hex(),
                         "added_at": k.added_at, "retired_at": k.retired_at,
                         "revoked_at": k.revoked_at, "revoke_reason": k.revoke_reason}
                        for k in key_history(session, vehicle_id)
                    ],
                    "owners": [
                        {"owner_id": b.owner_id, "started_at": b.started_at,
                         "ended_at": b.ended_at}
                        for b in ownership_history(session, vehicle_id)
                    ],
                }
        finally:
            database.dispose()
    if json_output:
        typer.echo(json.dumps(payload, indent=2))
        return
    typer.echo(f"vehicle {vehicle_id}  VIN {payload['vin']}  published {payload['vin_hash']}")
    for key in payload["keys"]:  # type: ignore[attr-defined]
        state = ("revoked" if key["revoked_at"] is not None
                 else "retired" if key["retired_at"] is not None else "active")
        typer.echo(f"  key {key['serial']} {key['public_key']} {state}")
    for binding in payload["owners"]:  # type: ignore[attr-defined]
        until = binding["ended_at"] if binding["ended_at"] is not None else "now"
        typer.echo(f"  owner {binding['owner_id']} from {binding['started_at']} to {until}")
