"""`milestone user` and `milestone key`: staff are created here, and keys issued, once shown."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from milestone.auth import authenticate_api_key
from milestone.cli.main import app
from milestone.storage import Database

runner = CliRunner()
PASSWORD = "a long operator secret"


def invoke(database_url: str, *args: str, stdin: str | None = None):
    return runner.invoke(app, [*args, "--database-url", database_url], input=stdin)


def test_create_list_disable_a_staff_user(database_url: str) -> None:
    created = invoke(database_url, "user", "create", "Olga", "--password-stdin", stdin=PASSWORD)
    assert created.exit_code == 0, created.stderr
    assert "role operator" in created.stdout
    auditor = invoke(
        database_url,
        "user",
        "create",
        "aldo",
        "--role",
        "auditor",
        "--password-stdin",
        stdin=PASSWORD,
    )
    assert auditor.exit_code == 0, auditor.stderr
    listed = json.loads(invoke(database_url, "user", "list", "--json").stdout)
    assert [(row["username"], row["role"], row["active"]) for row in listed] == [
        ("olga", "operator", True),
        ("aldo", "auditor", True),
    ]
    assert invoke(database_url, "user", "disable", "olga").exit_code == 0
    listed = json.loads(invoke(database_url, "user", "list", "--json").stdout)
    assert listed[0]["active"] is False


def test_refusals_are_one_line_with_their_code(database_url: str) -> None:
    weak = invoke(database_url, "user", "create", "olga", "--password-stdin", stdin="short")
    assert weak.exit_code == 1 and "[weak_password]" in weak.stderr
    assert "Traceback" not in weak.output
    invoke(database_url, "user", "create", "olga", "--password-stdin", stdin=PASSWORD)
    taken = invoke(database_url, "user", "create", "OLGA", "--password-stdin", stdin=PASSWORD)
    assert taken.exit_code == 1 and "[username_taken]" in taken.stderr
    owner = invoke(
        database_url, "user", "create", "ann", "--role", "owner", "--password-stdin", stdin=PASSWORD
    )
    assert owner.exit_code == 1 and "[invalid_role]" in owner.stderr
    missing = invoke(database_url, "user", "disable", "nobody")
    assert missing.exit_code == 1 and "[user_not_found]" in missing.stderr


def test_issued_key_is_printed_once_and_works(database_url: str) -> None:
    issued = invoke(database_url, "key", "issue", "--merchant", "4", "--label", "cafe")
    assert issued.exit_code == 0, issued.stderr
    secret = issued.stdout.strip()
    database = Database.from_url(database_url)
    try:
        with database.session() as session:
            assert authenticate_api_key(session, secret).merchant_id == 4
    finally:
        database.dispose()
    listed = invoke(database_url, "key", "list", "--json")
    assert secret not in listed.stdout
    key_id = json.loads(listed.stdout)[0]["id"]
    assert invoke(database_url, "key", "revoke", str(key_id)).exit_code == 0
    assert json.loads(invoke(database_url, "key", "list", "--json").stdout)[0]["active"] is False


def test_key_needs_exactly_one_holder(database_url: str, tmp_path: Path) -> None:
    neither = invoke(database_url, "key", "issue")
    both = invoke(database_url, "key", "issue", "--sales", "--merchant", "1")
    assert neither.exit_code == both.exit_code == 2
