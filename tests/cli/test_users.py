"""`milestone user`: staff are created here, and nowhere else."""

from __future__ import annotations

import json

from typer.testing import CliRunner

from milestone.cli.main import app

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
    table = invoke(database_url, "user", "list").stdout
    assert "username" in table and "role" in table  # a headed table
    assert "olga" in table and "disabled" in table and "aldo" in table and "active" in table


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
