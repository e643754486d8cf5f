"""What every command needs: settings, the embedded services, and a connected state."""

from __future__ import annotations

import asyncio
import contextlib
import functools
import sys
from collections.abc import AsyncIterator, Awaitable, Callable, Coroutine, Iterator
from typing import Any, TypeVar

import click
from litestar.datastructures import State

from ideabox import logs
from ideabox.cache import Cache, create_client
from ideabox.clock import Clock, clock_for
from ideabox.db import create_pool
from ideabox.embedded import EmbeddedError, embedded_services
from ideabox.settings import Settings, SettingsError, load_settings, resolve_secret_key

T = TypeVar("T")


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
async def connected(settings: Settings, clock: Clock | None = None) -> AsyncIterator[Any]:
    """An app state (pool, cache, settings, clock) for commands that work outside a
    request. Without a clock, the system's (or ``IDEABOX_NOW``)."""
    from ideabox.app import install_features

    assert settings.database_url and settings.redis_url
    pool = await create_pool(settings.database_url, max_size=8, timeout=settings.db_timeout)
    cache = Cache(create_client(settings.redis_url, settings.redis_timeout), settings.redis_prefix)
    state = State({"settings": settings, "pool": pool, "cache": cache, "background": set(),
                   "clock": clock or clock_for(settings.now)})
    install_features(state)
    try:
        yield state
    finally:
        await asyncio.gather(*state.background, return_exceptions=True)
        await cache.close()
        await pool.close()


def async_command(fn: Callable[..., Awaitable[T]]) -> Callable[..., T]:
    """Decorate an ``async def cmd(state, ...)``: it runs with services started and connected."""
    @functools.wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> T:
        with services() as settings:
            async def go() -> T:
                async with connected(settings) as state:
                    return await fn(state, *args, **kwargs)
            return run(go())

    return wrapper
