"""``ideabox create-admin``: the first admin (and any later one) from the command line."""

from __future__ import annotations

import sys

import click
import msgspec

from ideabox.accounts import service
from ideabox.accounts.schemas import Me, UserCreate
from ideabox.platform.db import Db
from ideabox.platform.errors import IdeaboxError, Unauthorized
from ideabox.runtime import async_command, migrated
from ideabox.services import Services


def _read_password(from_stdin: bool) -> str:
    if not from_stdin:
        # Never as an option: it would be kept in the shell history and shown by ps.
        password: str = click.prompt("Password", hide_input=True, confirmation_prompt=True)
        return password
    raw = sys.stdin.read()
    password = raw.removesuffix("\n").removesuffix("\r")
    if "\n" in password:
        raise click.UsageError("give the password as a single line on standard input")
    return password


def _user_create(email: str, password: str, display_name: str) -> UserCreate:
    try:
        return msgspec.convert({"email": email.strip(), "password": password,
                                "display_name": display_name}, UserCreate)
    except msgspec.ValidationError as exc:
        # msgspec names the field ("... - at `$.password`").
        raise click.UsageError(str(exc)) from None


@async_command
async def _make_admin(services: Services, data: UserCreate) -> tuple[Me, bool]:
    # Like `serve`, so that a fresh installation can get its admin before anything else.
    await migrated(services)
    async with services.pool.acquire() as conn:
        try:
            return await service.ensure_admin(Db(conn, services.clock.now()), data)
        except Unauthorized:
            raise click.ClickException(
                f"{data.email} already has an account, and the password does not match it; "
                f"give that account's password to make it an admin") from None
        except IdeaboxError as exc:
            raise click.ClickException(exc.detail) from None


@click.command("create-admin")
@click.option("--email", required=True, help="The admin's e-mail address.")
@click.option("--password-stdin", is_flag=True,
              help="Read the password from standard input (otherwise: ask for it).")
@click.option("--display-name", default="Administrator", show_default=True,
              help="The name shown for a new account.")
def create_admin(email: str, password_stdin: bool, display_name: str) -> None:
    """Create an admin account, or make an existing account an admin (its password is
    checked). The password comes from standard input or a prompt, never an option."""
    data = _user_create(email, _read_password(password_stdin), display_name)
    me, created = _make_admin(data)
    if created:
        click.echo(f"created admin {me.email} (user id {me.id})")
    else:
        click.echo(f"{me.email} (user id {me.id}) is now an admin")
