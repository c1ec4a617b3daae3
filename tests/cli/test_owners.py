"""`milestone owner list` and `owner show`: support finds an owner by id, name, address, VIN."""

from __future__ import annotations

import json

from typer.testing import CliRunner

from milestone.auth import FAST_HASHER
from milestone.auth.users import create_user
from milestone.cli.main import app
from milestone.clock import ManualClock
from milestone.ledger import MINING_RESERVE, owner_account, post_transaction, transfer
from milestone.program.service import Program
from milestone.registry.owners import create_owner
from milestone.registry.vehicles import register_vehicle, transfer_vehicle
from milestone.registry.vin import synthetic_vin
from milestone.storage import Database
from milestone.vehicle import generate_signing_key

runner = CliRunner()
STONE = 10**8


def two_owners(database: Database, clock: ManualClock) -> tuple[int, int, str]:
    with database.transaction() as session:
        ann, bob = create_owner(session, clock).id, create_owner(session, clock).id
        create_user(session, clock, FAST_HASHER, username="ann", password="a long secret",
                    role="owner", owner_id=ann)
        vin = synthetic_vin(5)
        car = register_vehicle(
            session, clock, vin=vin, public_key=bytes(generate_signing_key().verify_key)
        )
        transfer_vehicle(session, clock, car.id, bob)
        post_transaction(session, clock, "drop", "d", transfer(MINING_RESERVE,
                                                                owner_account(bob), 1_000 * STONE))
    return ann, bob, vin


def owner(database_url: str, *args: str) -> object:
    result = runner.invoke(app, ["owner", *args, "--database-url", database_url],
                           env={"COLUMNS": "160"})
    return result


def test_list_is_a_headed_table_newest_first(
    database: Database, database_url: str, clock: ManualClock, program: Program
) -> None:
    ann, bob, vin = two_owners(database, clock)
    table = owner(database_url, "list")
    assert table.exit_code == 0, table.output
    assert "username" in table.output and "balance (stones)" in table.output
    assert "1,000.00000000" in table.output and vin in table.output
    rows = json.loads(owner(database_url, "list", "--json").output)
    assert [row["id"] for row in rows] == [bob, ann]
    assert rows[0]["balance_pebbles"] == str(1_000 * STONE)
    assert [row["id"] for row in json.loads(owner(database_url, "list", "--json",
                                                  "--before", str(bob)).output)] == [ann]


def test_show_finds_an_owner_by_id_username_address_or_car(
    database: Database, database_url: str, clock: ManualClock, program: Program
) -> None:
    ann, bob, vin = two_owners(database, clock)
    by_id = json.loads(owner(database_url, "show", str(ann), "--json").output)
    assert by_id["username"] == "ann"
    assert json.loads(owner(database_url, "show", "ANN", "--json").output)["id"] == ann
    by_address = owner(database_url, "show", by_id["address"], "--json").output
    assert json.loads(by_address)["id"] == ann
    assert json.loads(owner(database_url, "show", vin, "--json").output)["id"] == bob
    missing = owner(database_url, "show", "nobody")
    assert missing.exit_code == 1
    assert "[owner_not_found]" in missing.stderr
