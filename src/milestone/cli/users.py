"""`milestone user`: the API's users, from the command line.

Operators and auditors exist only through `milestone user create`: no API route creates staff,
so taking over the API never yields a way to mint more operators.
"""

from __future__ import annotations

import json
import sys
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table
from sqlalchemy.orm import Session

from milestone.auth import users as user_service
from milestone.auth.errors import UserNotFound
from milestone.auth.passwords import STRONG_HASHER
from milestone.auth.principals import Role
from milestone.cli.common import (
    DatabaseUrlOption,
    DataDirOption,
    JsonOption,
    read_from_options,
    reported_errors,
)
from milestone.cli.operator import in_unit_of_work
from milestone.clock import SystemClock

users_app = typer.Typer(help="Users of the API: operators, auditors, owners.", no_args_is_help=True)

PasswordStdin = Annotated[
    bool, typer.Option("--password-stdin", help="Read the password from standard input.")
]


@users_app.command("create")
def create_user(
    username: Annotated[str, typer.Argument(help="Log-in name (3-64 characters).")],
    role: Annotated[Role, typer.Option(help="Role of the user.")] = Role.OPERATOR,
    owner_id: Annotated[
        int | None, typer.Option(min=1, help="Registry owner id (role owner only).")
    ] = None,
    password_stdin: PasswordStdin = False,
    data_dir: DataDirOption = None,
    database_url: DatabaseUrlOption = None,
) -> None:
    """Create a user; the password is asked for twice (or read from stdin)."""
    password = _read_password(password_stdin)
    clock = SystemClock()
    with reported_errors():
        user = in_unit_of_work(
            data_dir, database_url,
            lambda session: user_service.create_user(
                session, clock, STRONG_HASHER, username=username, password=password,
                role=role, owner_id=owner_id,
            ),
        )
    typer.echo(f"user {user.username!r} created: id {user.id}, role {user.role}")


@users_app.command("list")
def list_users(
    json_output: JsonOption = False,
    data_dir: DataDirOption = None,
    database_url: DatabaseUrlOption = None,
) -> None:
    """Every user, with role and state."""
    found = read_from_options(data_dir, database_url, user_service.list_users)
    rows = [
        {"id": user.id, "username": user.username, "role": user.role.value,
         "owner_id": user.owner_id, "created_at": user.created_at, "active": user.active}
        for user in found
    ]
    if json_output:
        typer.echo(json.dumps(rows, indent=2))
        return
    table = Table("id", "username", "role", "owner", "state", title="API users")
    for row in rows:
        owner = "" if row["owner_id"] is None else f"{row['owner_id']:,}"
        table.add_row(f"{row['id']:,}", str(row["username"]), str(row["role"]), owner,
                      "active" if row["active"] else "disabled")
    Console().print(table)


@users_app.command("disable")
def disable_user(
    username: str, data_dir: DataDirOption = None, database_url: DatabaseUrlOption = None
) -> None:
    """Refuse the user's log-ins from now on (a token already issued runs out by itself)."""
    clock = SystemClock()
    with reported_errors():
        user = in_unit_of_work(
            data_dir, database_url,
            lambda session: user_service.disable_user(
                session, clock, _user_named(session, username).id
            ),
        )
    typer.echo(f"user {user.username!r} disabled")


@users_app.command("password")
def set_password(
    username: str,
    password_stdin: PasswordStdin = False,
    data_dir: DataDirOption = None,
    database_url: DatabaseUrlOption = None,
) -> None:
    """Set a new password for a user."""
    password = _read_password(password_stdin)
    with reported_errors():
        user = in_unit_of_work(
            data_dir, database_url,
            lambda session: user_service.change_password(
                session, STRONG_HASHER, _user_named(session, username).id, password
            ),
        )
    typer.echo(f"password of {user.username!r} changed")


def _user_named(session: Session, username: str) -> user_service.User:
    user = user_service.find_user_by_username(session, username)
    if user is None:
        raise UserNotFound(f"no user {username!r}", username=username)
    return user


def _read_password(from_stdin: bool) -> str:
    if from_stdin:
        return sys.stdin.readline().rstrip("\n")
    password: str = typer.prompt("Password", hide_input=True, confirmation_prompt=True)
    return password
