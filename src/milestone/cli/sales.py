"""`milestone sales`: the sales systems whose signed deliveries pay referrals; and the owner
standing commands (`milestone owner certify | revoke`) the spend lock and referrals read."""

from __future__ import annotations

from typing import Annotated, Any

import typer
from sqlalchemy import select
from sqlalchemy.orm import Session

from milestone.activities.models import SalesSystem
from milestone.activities.sales import register_sales_system, revoke_sales_system
from milestone.activities.standing import Standing, revoke_owner
from milestone.cli.common import DatabaseUrlOption, DataDirOption, JsonOption, reported_errors
from milestone.cli.operator import InvalidInput, emit, in_snapshot, in_unit_of_work, show_instant
from milestone.clock import SystemClock
from milestone.store.unlocks import certify

app = typer.Typer(
    help="Sales systems: their keys sign delivered referrals.", no_args_is_help=True
)
OwnerId = Annotated[int, typer.Argument(help="Owner id.")]


def describe(system: SalesSystem) -> dict[str, Any]:
    return {
        "id": system.id, "name": system.name, "public_key": bytes(system.public_key).hex(),
        "registered_at": show_instant(system.registered_at),
        "revoked_at": show_instant(system.revoked_at),
    }


@app.command("add")
def add(
    name: Annotated[str, typer.Argument(help="The sales system's name.")],
    public_key: Annotated[str, typer.Option(help="Its Ed25519 public key, 64 hex digits.")],
    json_output: JsonOption = False,
    data_dir: DataDirOption = None,
    database_url: DatabaseUrlOption = None,
) -> None:
    """Register a sales system; prints its API key, which is shown this once."""
    clock = SystemClock()
    with reported_errors():
        try:
            key_bytes = bytes.fromhex(public_key.removeprefix("0x"))
        except ValueError:
            raise InvalidInput("the public key must be 64 hex digits") from None

        def work(session: Session) -> tuple[int, str]:
            system, api_key = register_sales_system(session, clock, name, key_bytes)
            return system.id, api_key

        system_id, api_key = in_unit_of_work(data_dir, database_url, work)
    emit({"sales_system_id": system_id, "api_key": api_key}, json_output,
         f"sales system {system_id} registered; API key (shown once): {api_key}")


@app.command("list")
def list_(json_output: JsonOption = False, data_dir: DataDirOption = None,
          database_url: DatabaseUrlOption = None) -> None:
    """Every sales system."""
    with reported_errors():

        def work(session: Session) -> list[dict[str, Any]]:
            systems = session.execute(select(SalesSystem).order_by(SalesSystem.id)).scalars()
            return [describe(system) for system in systems]

        shown = in_snapshot(data_dir, database_url, work)
    lines = [
        f"sales system {x['id']} {x['name']!r}"
        + (f", revoked {x['revoked_at']}" if x["revoked_at"] else "")
        for x in shown
    ]
    emit(shown, json_output, "\n".join(lines) or "no sales systems")


@app.command("revoke")
def revoke(sales_system_id: Annotated[int, typer.Argument(help="Sales system id.")],
           data_dir: DataDirOption = None, database_url: DatabaseUrlOption = None) -> None:
    """Stop accepting the sales system's key and confirmations."""
    clock = SystemClock()
    with reported_errors():
        in_unit_of_work(data_dir, database_url,
                        lambda s: revoke_sales_system(s, clock, sales_system_id).id)
    typer.echo(f"sales system {sales_system_id} revoked")


def standing_payload(standing: Standing) -> dict[str, Any]:
    return {"owner_id": standing.owner_id, "certified_at": show_instant(standing.certified_at),
            "revoked_at": show_instant(standing.revoked_at)}


def owner_certify(owner: OwnerId, json_output: JsonOption = False,
                  data_dir: DataDirOption = None, database_url: DatabaseUrlOption = None) -> None:
    """Record that the owner was certified (their earned stones start to unlock)."""
    clock = SystemClock()
    with reported_errors():
        shown = in_unit_of_work(data_dir, database_url,
                                lambda s: standing_payload(certify(s, clock, owner)))
    emit(shown, json_output, f"owner {owner} certified {shown['certified_at']}")


def owner_revoke(
    owner: OwnerId,
    reason: Annotated[str, typer.Option(help="Why (kept with the revocation).")],
    json_output: JsonOption = False,
    data_dir: DataDirOption = None,
    database_url: DatabaseUrlOption = None,
) -> None:
    """Revoke the owner's account: no more rewards, their referral code refused."""
    clock = SystemClock()
    with reported_errors():
        shown = in_unit_of_work(data_dir, database_url,
                                lambda s: standing_payload(revoke_owner(s, clock, owner, reason)))
    emit(shown, json_output, f"owner {owner} revoked {shown['revoked_at']}")
