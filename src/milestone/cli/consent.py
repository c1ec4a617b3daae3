"""`milestone consent`: grant, revoke and list an owner's consent (for support staff and demos)."""

from __future__ import annotations

import json
from typing import Annotated

import typer
from sqlalchemy.orm import Session

from milestone.cli.common import (
    DatabaseUrlOption,
    DataDirOption,
    JsonOption,
    read_from_options,
    reported_errors,
)
from milestone.cli.vehicles import in_transaction
from milestone.clock import SystemClock
from milestone.consent.service import (
    Receipt,
    Revocation,
    consent_history,
    grant_consent,
    revoke_consent,
)

app = typer.Typer(help="Owners' consent to use their vehicles' data.", no_args_is_help=True)

OwnerOption = Annotated[int, typer.Option("--owner", help="The owner.")]
VehicleOption = Annotated[int, typer.Option("--vehicle", help="The vehicle.")]
ScopeOption = Annotated[str, typer.Option("--scope", help="mileage or driving_behavior.")]


def receipt_json(receipt: Receipt) -> dict[str, object]:
    return {
        "receipt_id": receipt.id, "owner_id": receipt.owner_id, "vehicle_id": receipt.vehicle_id,
        "scope": receipt.scope, "action": receipt.action, "at": receipt.at,
        "terms_version": receipt.terms_version, "hash": "0x" + receipt.hash.hex(),
    }


@app.command()
def grant(
    owner: OwnerOption,
    vehicle: VehicleOption,
    scope: ScopeOption,
    terms: Annotated[str, typer.Option(help="Version of the terms the owner accepted.")],
    data_dir: DataDirOption = None,
    database_url: DatabaseUrlOption = None,
) -> None:
    """Grant a scope from now; prints the receipt."""
    clock = SystemClock()

    def work(session: Session) -> Receipt:
        return grant_consent(session, clock, owner_id=owner, vehicle_id=vehicle, scope=scope,
                             terms_version=terms)

    with reported_errors():
        receipt = in_transaction(data_dir, database_url, work)
    typer.echo(json.dumps(receipt_json(receipt), indent=2))


@app.command()
def revoke(
    owner: OwnerOption,
    vehicle: VehicleOption,
    scope: ScopeOption,
    data_dir: DataDirOption = None,
    database_url: DatabaseUrlOption = None,
) -> None:
    """Revoke a scope now and erase its raw data; prints both receipts."""
    clock = SystemClock()

    def work(session: Session) -> Revocation:
        return revoke_consent(session, clock, owner_id=owner, vehicle_id=vehicle, scope=scope)

    with reported_errors():
        revocation = in_transaction(data_dir, database_url, work)
    deletion = revocation.deletion
    typer.echo(json.dumps({
        "receipt": receipt_json(revocation.receipt),
        "deletion": {"deletion_id": deletion.id, "scope": deletion.scope, "at": deletion.at,
                     "items_erased": deletion.items_erased, "hash": "0x" + deletion.hash.hex()},
    }, indent=2))


@app.command()
def history(
    owner: OwnerOption,
    vehicle: Annotated[int | None, typer.Option("--vehicle", help="Only this vehicle.")] = None,
    json_output: JsonOption = False,
    data_dir: DataDirOption = None,
    database_url: DatabaseUrlOption = None,
) -> None:
    """Every change of the owner's consent, oldest first."""
    receipts = read_from_options(
        data_dir, database_url, lambda session: consent_history(session, owner, vehicle)
    )
    if json_output:
        typer.echo(json.dumps([receipt_json(r) for r in receipts], indent=2))
        return
    for r in receipts:
        typer.echo(f"{r.at}  {r.action:6}  vehicle {r.vehicle_id}  {r.scope:16}  "
                   f"terms {r.terms_version}  0x{r.hash.hex()}")
