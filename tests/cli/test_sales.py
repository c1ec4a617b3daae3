"""`milestone sales add | list | revoke` and `milestone owner certify | revoke`."""

from __future__ import annotations

import json
from collections.abc import Callable

from nacl.signing import SigningKey
from typer.testing import CliRunner

from milestone.activities.sales import authenticate_sales_system
from milestone.activities.standing import standing_of
from milestone.cli.main import app
from milestone.storage import Database

runner = CliRunner()


def run(database_url: str, *args: str) -> object:
    result = runner.invoke(app, [*args, "--json", "--database-url", database_url])
    assert result.exit_code == 0, result.output
    return json.loads(result.output)


def test_sales_systems_from_the_command_line(
    database: Database, database_url: str, program: object
) -> None:
    public_key = bytes(SigningKey.generate().verify_key).hex()
    added = run(database_url, "sales", "add", "Shanghai", "--public-key", public_key)
    assert isinstance(added, dict) and added["api_key"].startswith("ss_")
    with database.session() as session:
        assert authenticate_sales_system(session, added["api_key"]).name == "Shanghai"
    listed = run(database_url, "sales", "list")
    assert isinstance(listed, list) and listed[0]["public_key"] == public_key
    revoked = runner.invoke(app, ["sales", "revoke", "1", "--database-url", database_url])
    assert revoked.output == "sales system 1 revoked\n"
    bad = runner.invoke(
        app, ["sales", "add", "X", "--public-key", "zz", "--database-url", database_url]
    )
    assert bad.exit_code == 1 and bad.output.rstrip().endswith("[invalid_input]")


def test_certifying_and_revoking_owners(
    database: Database, database_url: str, make_owner: Callable[[], int]
) -> None:
    owner = make_owner()
    certified = run(database_url, "owner", "certify", str(owner))
    assert isinstance(certified, dict) and certified["certified_at"] is not None
    revoked = run(database_url, "owner", "revoke", str(owner), "--reason", "fraud")
    assert isinstance(revoked, dict) and revoked["revoked_at"] is not None
    with database.session() as session:
        assert standing_of(session, owner).revoked
    unknown = runner.invoke(app, ["owner", "certify", "99", "--database-url", database_url])
    assert unknown.exit_code == 1 and unknown.output.rstrip().endswith("[unknown_owner]")
