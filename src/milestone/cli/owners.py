"""`milestone owner list` and `owner show`: support finds an owner by id, name, address, VIN."""

from __future__ import annotations

import json
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.table import Table
from sqlalchemy.orm import Session

from milestone.activities.standing import standing_of
from milestone.auth.users import find_user_by_owner, find_user_by_username
from milestone.cli.common import (
    DatabaseUrlOption,
    DataDirOption,
    JsonOption,
    grouped_stones,
    read_from_options,
)
from milestone.errors import NotFound
from milestone.ledger import balance_of, owner_account
from milestone.registry.owners import find_owner_by_address, get_owner, owners_sharing_identity
from milestone.registry.queries import PAGE_MAX, list_owners, vehicles_of_owner
from milestone.registry.vehicles import current_ownership, find_vehicle_by_vin
from milestone.registry.vin import VIN_LENGTH, InvalidVin


class OwnerNotFound(NotFound):
    code = "owner_not_found"


def owner_row(session: Session, owner_id: int) -> dict[str, Any]:
    """What support sees of an owner: no phone or payment details, only whether they exist."""
    owner = get_owner(session, owner_id)
    user = find_user_by_owner(session, owner_id)
    state = standing_of(session, owner_id)
    return {
        "id": owner.id,
        "username": None if user is None else user.username,
        "address": "0x" + (owner.address or b"").hex(),
        "created_at": owner.created_at,
        "vehicles": [vehicle.vin for vehicle in vehicles_of_owner(session, owner_id)],
        "balance_pebbles": str(balance_of(session, owner_account(owner_id))),
        "certified": state.certified_at is not None,
        "revoked": state.revoked_at is not None,
        "has_phone": owner.phone_hash is not None,
        "has_payment": owner.payment_hash is not None,
        "sharing_identity_with": owners_sharing_identity(session, owner_id),
    }


def find_owner_id(session: Session, what: str) -> int:
    """The owner `what` names: an id, a username, a 0x address or a VIN of their car."""
    if what.isdigit():
        return get_owner(session, int(what)).id
    if what.startswith("0x") and len(what) == 42:
        owner = find_owner_by_address(session, bytes.fromhex(what[2:]))
        if owner is not None:
            return owner.id
    user = find_user_by_username(session, what.strip().lower())
    if user is not None and user.owner_id is not None:
        return user.owner_id
    if len(what.strip()) == VIN_LENGTH:
        try:
            vehicle = find_vehicle_by_vin(session, what.strip().upper())
        except InvalidVin:
            vehicle = None
        if vehicle is not None and (binding := current_ownership(session, vehicle.id)):
            return binding.owner_id
    raise OwnerNotFound(f"no owner with id, username, address or current car {what!r}")


def owner_list(
    limit: Annotated[int, typer.Option(min=1, max=PAGE_MAX, help="Owners per page.")] = 50,
    before: Annotated[
        int | None, typer.Option(min=1, help="Only owners with a smaller id (the next page).")
    ] = None,
    json_output: JsonOption = False,
    data_dir: DataDirOption = None,
    database_url: DatabaseUrlOption = None,
) -> None:
    """List owners, newest first: id, username, address, cars, balance."""
    rows = read_from_options(data_dir, database_url, lambda session: [
        owner_row(session, found.id)
        for found in list_owners(session, before=before, limit=limit)
    ])
    if json_output:
        typer.echo(json.dumps(rows, indent=2))
        return
    table = Table("id", "username", "address", "vehicles", "balance (stones)", "standing")
    for row in rows:
        table.add_row(
            f"{row['id']:,}", row["username"] or "", row["address"], ", ".join(row["vehicles"]),
            grouped_stones(int(row["balance_pebbles"])), standing_text(row),
        )
    Console().print(table)


def owner_show(
    owner: Annotated[str, typer.Argument(help="An owner id, username, 0x address or VIN.")],
    json_output: JsonOption = False,
    data_dir: DataDirOption = None,
    database_url: DatabaseUrlOption = None,
) -> None:
    """Show one owner: account, user, cars, balance, standing, shared identities."""
    row = read_from_options(
        data_dir, database_url, lambda session: owner_row(session, find_owner_id(session, owner))
    )
    if json_output:
        typer.echo(json.dumps(row, indent=2))
        return
    table = Table("field", "value", show_header=True, title=f"owner {row['id']:,}")
    for name, value in row.items():
        if name == "balance_pebbles":
            name, value = "balance (stones)", grouped_stones(int(value))
        elif isinstance(value, list):
            value = ", ".join(str(item) for item in value)
        table.add_row(name, "" if value is None else str(value))
    Console().print(table)


def standing_text(row: dict[str, Any]) -> str:
    if row["revoked"]:
        return "revoked"
    return "certified" if row["certified"] else ""
