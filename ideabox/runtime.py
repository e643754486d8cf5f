"""What every command needs: settings, the embedded servers, and the services open."""

from __future__ import annotations

import asyncio
import contextlib
import functools
import sys
from collections.abc import AsyncIterator, Awaitable, Callable, Coroutine, Iterator
from typing import Any, TypeVar

import click

from ideabox.platform import logs
from ideabox.platform.clock import Clock
from ideabox.platform.embedded import EmbeddedError, embedded_services
from ideabox.platform.migrations import MigrationError, migrate_url
from ideabox.platform.settings import Settings, SettingsError, load_settings, resolve_secret_key
from ideabox.services import Services, open_services

T = TypeVar("T")

# A command works on one thing at a time; a few connections are plenty.
COMMAND_POOL_SIZE = 8


@contextlib.contextmanager
def services() -> Iterator[Settings]:
    """Settings from the environment, with the embedded services started if needed."""
    try:
        # The key first: whether one may be generated depends on the database being ours.
        settings = resolve_secret_key(load_settings())
    except SettingsError as exc:
        raise click.ClickException(str(exc)) from None
    logs.configure(settings.log_level, "text" if sys.stderr.isatty() else settings.log_format)
    try:
        with embedded_services(settings) as ready:
            yield ready
    except EmbeddedError as exc:
        raise click.ClickException(str(exc)) from None


def run(coro: Coroutine[Any, Any, T]) -> T:
    return asyncio.run(coro)


@contextlib.asynccontextmanager
async def connected(settings: Settings, clock: Clock | None = None) -> AsyncIterator[Services]:
    """The services a command works with (a pool of its own, no statement timeout:
    commands do long work). Without a clock, the system's (or ``IDEABOX_NOW``)."""
    async with open_services(settings, clock, pool_size=COMMAND_POOL_SIZE) as opened:
        yield opened


async def migrated(services: Services) -> None:
    """Apply pending migrations first, as ``serve`` does, so that a command works on a
    fresh installation too; a database the migrations do not fit is the command's error."""
    assert services.settings.database_url
    try:
        await migrate_url(services.settings.database_url)
    except MigrationError as exc:
        raise click.ClickException(str(exc)) from None


def async_command(fn: Callable[..., Awaitable[T]]) -> Callable[..., T]:
    """Decorate an ``async def cmd(services, ...)``: it runs with the embedded servers
    started (if ours) and the services open."""
    @functools.wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> T:
        with services() as settings:
            async def go() -> T:
                async with connected(settings) as opened:
                    return await fn(opened, *args, **kwargs)
            return run(go())

    return wrapper
