"""`milestone user` and `milestone key`: the API's users and API keys, from the command line.

Operators and auditors exist only through `milestone user create`: no API route creates staff,
so taking over the API never yields a way to mint more operators.
"""

from __future__ import annotations

import json
import sys
from datetime import UTC, datetime
from typing import Annotated

import typer
from sqlalchemy.orm import Session

from milestone.auth import users as user_service
from milestone.auth.errors import UserNotFound
from milestone.auth.keys import issue_api_key, list_api_keys, revoke_api_key
from milestone.auth.passwords import STRONG_HASHER
from milestone.auth.principals import KeyHolder, Role
from milestone.cli.common import (
    DatabaseUrlOption,
    DataDirOption,
    JsonOption,
    open_from_options,
    reported_errors,
)
from milestone.clock import SystemClock

users_app = typer.Typer(help="Users of the API: operators, auditors, owners.", no_args_is_help=True)
keys_app = typer.Typer(help="API keys of merchants and the sales system.", no_args_is_help=True)

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
        database = open_from_options(data_dir, database_url)
        try:
            user = database.run(
                lambda session: user_service.create_user(
                    session, clock, STRONG_HASHER, username=username, password=password,
                    role=role, owner_id=owner_id,
                )
            )
        finally:
            database.dispose()
    typer.echo(f"user {user.username!r} created: id {user.id}, role {user.role}")


@users_app.command("list")
def list_users(
    json_output: JsonOption = False,
    data_dir: DataDirOption = None,
    database_url: DatabaseUrlOption = None,
) -> None:
    """Every user, with role and state."""
    with reported_errors():
        database = open_from_options(data_dir, database_url)
        try:
            with database.session() as session:
                found = user_service.list_users(session)
        finally:
            database.dispose()
    rows = [
        {"id": user.id, "username": user.username, "role": user.role.value,
         "owner_id": user.owner_id, "created_at": user.created_at, "active": user.active}
        for user in found
    ]
    if json_output:
        typer.echo(json.dumps(rows, indent=2))
        return
    for row in rows:
        owner = f" owner {row['owner_id']}" if row["owner_id"] is not None else ""
        state = "" if row["active"] else " (disabled)"
        typer.echo(f"{row['id']:>6}  {row['username']:<32} {row['role']:<9}{owner}{state}")


@users_app.command("disable")
def disable_user(
    username: str, data_dir: DataDirOption = None, database_url: DatabaseUrlOption = None
) -> None:
    """Refuse the user's log-ins from now on (a token already issued runs out by itself)."""
    clock = SystemClock()
    with reported_errors():
        database = open_from_options(data_dir, database_url)
        try:
            user = database.run(
                lambda session: user_service.disable_user(
                    session, clock, _user_named(session, username).id
                )
            )
        finally:
            database.dispose()
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
        database = open_from_options(data_dir, database_url)
        try:
            user = database.run(
                lambda session: user_service.change_password(
                    session, STRONG_HASHER, _user_named(session, username).id, password
                )
            )
        finally:
            database.dispose()
    typer.echo(f"password of {user.username!r} changed")


@keys_app.command("issue")
def issue_key(
    merchant: Annotated[int | None, typer.Option(min=1, help="The merchant's id.")] = None,
    sales: Annotated[bool, typer.Option("--sales", help="A key for the sales system.")] = False,
    label: Annotated[str, typer.Option(help="A note telling keys apart.")] = "",
    data_dir: DataDirOption = None,
    database_url: DatabaseUrlOption = None,
) -> None:
    """Issue a key for a merchant (--merchant ID) or the sales system (--sales); print it once."""
    clock = SystemClock()
    with reported_errors():
        if sales == (merchant is not None):
            typer.echo("error: give exactly one of --merchant ID and --sales [usage]", err=True)
            raise typer.Exit(2)
        holder = KeyHolder.SALES if sales else KeyHolder.MERCHANT
        database = open_from_options(data_dir, database_url)
        try:
            issued = database.run(
                lambda session: issue_api_key(
                    session, clock, holder, merchant_id=merchant, label=label
                )
            )
        finally:
            database.dispose()
    typer.echo(f"key {issued.key.id} for {holder.value}: store it now, it is not shown again:",
               err=True)
    typer.echo(issued.secret)


@keys_app.command("list")
def list_keys(
    json_output: JsonOption = False,
    data_dir: DataDirOption = None,
    database_url: DatabaseUrlOption = None,
) -> None:
    """Every key (prefix only), with holder and state."""
    with reported_errors():
        database = open_from_options(data_dir, database_url)
        try:
            with database.session() as session:
                found = list_api_keys(session)
        finally:
            database.dispose()
    if json_output:
        rows = [
            {"id": key.id, "prefix": key.prefix, "holder": key.holder.value,
             "merchant_id": key.merchant_id, "label": key.label, "created_at": key.created_at,
             "active": key.active}
            for key in found
        ]
        typer.echo(json.dumps(rows, indent=2))
        return
    for key in found:
        made = datetime.fromtimestamp(key.created_at, UTC).strftime("%Y-%m-%d")
        merchant = f" merchant {key.merchant_id}" if key.merchant_id is not None else ""
        state = "" if key.active else " (revoked)"
        typer.echo(f"{key.id:>6}  {key.prefix}…  {key.holder.value}{merchant}  {made}"
                   f"  {key.label}{state}")


@keys_app.command("revoke")
def revoke_key(
    key_id: int, data_dir: DataDirOption = None, database_url: DatabaseUrlOption = None
) -> None:
    """Refuse a key from now on."""
    clock = SystemClock()
    with reported_errors():
        database = open_from_options(data_dir, database_url)
        try:
            key = database.run(lambda session: revoke_api_key(session, clock, key_id))
        finally:
            database.dispose()
    typer.echo(f"key {key.id} ({key.prefix}…) revoked")


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
