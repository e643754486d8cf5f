"""The ``ideabox`` command. Every command works whether or not ``serve`` is running: with
no URLs configured, each one joins (or starts) the same embedded PostgreSQL and Redis."""

from __future__ import annotations

import logging
import os
import sys
from typing import Any

import click
import msgspec

from ideabox.platform.migrations import MigrationError, migrate_url
from ideabox.platform.settings import Settings
from ideabox.runtime import run, services

log = logging.getLogger("ideabox.cli")


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="ideabox")
def main() -> None:
    """ideabox: crowd idea-voting for municipalities."""


def apply_migrations(settings: Settings) -> list[str]:
    assert settings.database_url
    try:
        return run(migrate_url(settings.database_url))
    except MigrationError as exc:
        raise click.ClickException(str(exc)) from None


@main.command()
def migrate() -> None:
    """Apply pending database migrations (a no-op when there are none)."""
    with services() as settings:
        applied = apply_migrations(settings)
    if applied:
        click.echo(f"applied {len(applied)} migration(s): {', '.join(applied)}")
    else:
        click.echo("the database is up to date")


@main.command()
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--port", default=8000, show_default=True, type=click.IntRange(1, 65535))
@click.option("--workers", default=1, show_default=True, type=click.IntRange(1, 64),
              help="Worker processes.")
def serve(host: str, port: int, workers: int) -> None:
    """Run the web service (starting the embedded PostgreSQL and Redis if no URLs are set)."""
    from granian.constants import Interfaces
    from granian.server import Server

    from ideabox.metrics.multiprocess import shared_by_workers

    with services() as settings:
        applied = apply_migrations(settings)
        if applied:
            log.info("applied migrations", extra={"migrations": applied})
        # The workers build the app from the environment: hand them the resolved URLs.
        assert settings.database_url and settings.redis_url and settings.secret_key
        os.environ["IDEABOX_DATABASE_URL"] = settings.database_url
        os.environ["IDEABOX_REDIS_URL"] = settings.redis_url
        os.environ["IDEABOX_SECRET_KEY"] = settings.secret_key
        # Unset, links point at this server itself, and a terminal gets readable logs.
        os.environ.setdefault("IDEABOX_BASE_URL", f"http://{_reachable(host)}:{port}")
        if "IDEABOX_LOG_FORMAT" not in os.environ and sys.stderr.isatty():
            os.environ["IDEABOX_LOG_FORMAT"] = "text"
            settings = msgspec.structs.replace(settings, log_format="text")
        server = Server(
            "ideabox.http.app:create_app", factory=True, address=host, port=port,
            interface=Interfaces.ASGI, workers=workers, log_access=False,
            log_dictconfig=_granian_logging(settings), websockets=False,
            # A worker that has not finished within this after Ctrl-C or SIGTERM is
            # killed, so stopping serve always ends (and stops the embedded services).
            workers_kill_timeout=settings.shutdown_seconds,
            # A worker that dies (the OOM killer, a crash in native code) is replaced at
            # once while the others go on serving; one that dies again within 5.5 s of
            # being replaced makes granian give up, so a crash loop ends serve with an
            # error for the supervisor to see instead of spinning. (respawn_interval stays
            # granian's: it is how long old and new worker overlap on a reload, SIGHUP,
            # not a wait before replacing a dead one.)
            respawn_failed_workers=True,
        )
        click.echo(f"ideabox listening on http://{host}:{port}", err=True)
        try:
            # The workers' metrics, added up whichever worker a scrape reaches.
            with shared_by_workers():
                server.serve()
        except SystemExit as exc:
            if exc.code not in (0, None):
                raise click.ClickException("the web server stopped with an error") from None


def _reachable(host: str) -> str:
    """A host name for links: listening on every address means this machine's own."""
    return "127.0.0.1" if host in ("0.0.0.0", "::", "") else host  # noqa: S104


def _granian_logging(settings: Settings) -> dict[str, Any]:
    formatter = "ideabox.platform.logs.JsonFormatter" if settings.log_format == "json" \
        else "ideabox.platform.logs.TextFormatter"
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "formatters": {"ideabox": {"()": formatter}},
        "handlers": {"stderr": {"class": "logging.StreamHandler", "formatter": "ideabox"}},
        "loggers": {"_granian": {"handlers": ["stderr"], "level": "INFO", "propagate": False}},
    }


def _register_feature_commands() -> None:
    """Each feature keeps its commands beside its service; they are listed here once."""
    from ideabox.accounts.commands import create_admin
    from ideabox.demo.commands import seed
    from ideabox.exports.commands import export
    from ideabox.promotion.commands import promote
    from ideabox.votes.commands import cache

    commands: list[click.Command] = [create_admin, cache, promote, export, seed]
    for command in commands:
        main.add_command(command)


_register_feature_commands()
