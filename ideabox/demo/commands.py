"""``ideabox seed --demo``: fill an empty database with Havnestad Kommune's demo."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import click
import msgspec
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TaskID, TextColumn

from ideabox.accounts.schemas import UserCreate
from ideabox.demo import town
from ideabox.demo.seed import (
    DEFAULT_RESIDENTS,
    DEFAULT_SEED,
    DemoOptions,
    DemoResult,
    NotEmpty,
    new_password,
    seed_demo,
)
from ideabox.platform.errors import IdeaboxError, Unauthorized
from ideabox.platform.settings import SettingsError, load_settings
from ideabox.runtime import async_command, migrated
from ideabox.services import Services

ACCOUNTS_FILE = "demo-accounts.txt"


def _password_from_stdin() -> str:
    password = sys.stdin.read().removesuffix("\n").removesuffix("\r")
    if "\n" in password:
        raise click.UsageError("give the password as a single line on standard input")
    return password


def _check_admin(email: str, password: str) -> None:
    try:
        msgspec.convert({"email": email, "password": password,
                         "display_name": town.ADMIN_NAME}, UserCreate)
    except msgspec.ValidationError as exc:
        raise click.UsageError(f"the admin's {exc}") from None


def _accounts_path() -> Path | None:
    """Where the sign-ins are kept for the next run: in the data dir, beside the secret
    key, when the database lives there too (whoever can read it can read the database)."""
    try:
        settings = load_settings()
    except SettingsError:
        return None  # the command reports it when it starts the services
    return settings.data_dir / ACCOUNTS_FILE if settings.embedded_postgres else None


@async_command
async def _seed(services: Services, options: DemoOptions) -> DemoResult:
    await migrated(services)
    columns = (TextColumn("{task.description:<17}"), BarColumn(), MofNCompleteColumn())
    with Progress(*columns, console=None, transient=False) as bar:
        tasks: dict[str, TaskID] = {}

        def report(step: str, done: int, total: int) -> None:
            if step not in tasks:
                tasks[step] = bar.add_task(step, total=total)
            bar.update(tasks[step], completed=done, total=total)

        try:
            return await seed_demo(services, options, report)
        except Unauthorized:
            raise click.ClickException(
                f"{options.admin_email} already has an account, and the password does not "
                f"match it; give that account's password to seed with it") from None
        except IdeaboxError as exc:
            raise click.ClickException(exc.detail) from None


def _sign_ins(result: DemoResult) -> str:
    admin_password = result.admin_password or "(the password you gave)"
    rows = [("administrator", result.admin_email, admin_password)]
    rows += [(role, email, result.try_password) for role, email in result.try_accounts]
    width = max(len(email) for _, email, _ in rows)
    lines = [f"Sign in at {result.base_url.rstrip('/')}/signin"]
    lines += [f"  {role:<14} {email:<{width}}  {password}" for role, email, password in rows]
    return "\n".join(lines) + "\n"


def _summary(result: DemoResult, options: DemoOptions) -> str:
    c = result.counts
    return (f"Seeded the demo of {town.MUNICIPALITY} in {result.seconds:.1f} s "
            f"(seed {options.seed}):\n"
            f"  {c['purposes']} purposes, {c['ideas']} ideas, {c['comments']} comments, "
            f"{c['votes']} votes, {c['follows']} follows, {c['notifications']} notifications, "
            f"{c['users']} people\n"
            f"  {result.outcome.promoted} ideas sent to the administration, "
            f"{result.outcome.answered} answers given\n")


def _keep(path: Path | None, text: str) -> None:
    if path is None:
        return
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        handle.write(text)


@click.command("seed")
@click.option("--demo", is_flag=True, help="Seed the demo of Havnestad Kommune.")
@click.option("--seed", "seed_value", type=int, default=DEFAULT_SEED, show_default=True,
              help="Decides everything left to chance: the same seed, the same demo.")
@click.option("--residents", type=click.IntRange(20, 5000), default=DEFAULT_RESIDENTS,
              show_default=True, help="Residents taking part (and one staff member for "
                                      "every seven).")
@click.option("--admin-email", default=town.ADMIN_EMAIL, show_default=True,
              help="The administrator's e-mail (an existing admin needs its password).")
@click.option("--admin-password-stdin", is_flag=True,
              help="Read the administrator's password from standard input (otherwise one "
                   "is generated and printed).")
@click.option("--unless-seeded", is_flag=True,
              help="Do nothing, successfully, when the database already holds the demo.")
def seed(demo: bool, seed_value: int, residents: int, admin_email: str,
         admin_password_stdin: bool, unless_seeded: bool) -> None:
    """Fill an EMPTY database with a living demo: a Danish municipality's people,
    purposes, ideas, comments, three months of votes, promotions and answers. A
    database that holds ideas is refused."""
    if not demo:
        raise click.UsageError("say what to seed: --demo (the only seed there is)")
    password = _password_from_stdin() if admin_password_stdin else None
    _check_admin(admin_email.strip(), password or new_password())
    options = DemoOptions(seed=seed_value, residents=residents,
                          admin_email=admin_email.strip(), admin_password=password)
    kept = _accounts_path()
    try:
        result = _seed(options)
    except NotEmpty as exc:
        if exc.holds_demo and unless_seeded:
            click.echo("The database already holds the demo.", err=True)
            if kept is not None and kept.exists():
                click.echo(kept.read_text(encoding="utf-8"), err=True, nl=False)
            return
        raise click.ClickException(
            "the database already holds ideas; the demo only fills an empty database "
            "(use a new IDEABOX_DATA_DIR or an empty IDEABOX_DATABASE_URL)") from None
    sign_ins = _sign_ins(result)
    click.echo(_summary(result, options) + "\n" + sign_ins, nl=False)
    if not result.cache_rebuilt:
        click.echo("The vote cache could not be rebuilt now; the service rebuilds it when "
                   "it starts.", err=True)
    _keep(kept, sign_ins)
