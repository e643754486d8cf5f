"""Redis, used as a cache and a coordinator, never as the record.

Every call may fail. Timeouts are short and explicit, redis-py's retries are off, and
after a failure the cache is skipped for a moment (a circuit breaker), so an outage
costs a request at most one short timeout and never a 500: callers catch
``CacheUnavailable`` and fall back to PostgreSQL.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable
from typing import TypeVar

import redis.asyncio as aioredis
from redis.asyncio.retry import Retry
from redis.backoff import NoBackoff
from redis.commands.core import AsyncScript
from redis.exceptions import RedisError

from ideabox.metrics.counters import cache_fell_back

log = logging.getLogger(__name__)

T = TypeVar("T")

# How long to leave Redis alone after a failure before trying it again.
BREAKER_SECONDS = 1.0

FAILURES: tuple[type[BaseException], ...] = (RedisError, OSError, asyncio.TimeoutError)


class CacheUnavailable(Exception):
    """Redis did not answer (or is being skipped after a failure)."""


def create_client(url: str, timeout: float) -> aioredis.Redis:
    return aioredis.Redis.from_url(
        url,
        socket_connect_timeout=timeout,
        socket_timeout=timeout,
        retry=Retry(NoBackoff(), 0),
        retry_on_timeout=False,
        health_check_interval=0,
        max_connections=64,
        decode_responses=False,
    )


class Cache:
    """The Redis client, its key prefix, and whether it can be used and believed."""

    def __init__(self, client: aioredis.Redis, prefix: str) -> None:
        self.client = client
        self.prefix = prefix
        # Believed only once the reconciler has checked that Redis holds the current
        # generation of the cache; until then reads go to PostgreSQL.
        self.trusted = False
        self._skip_until = 0.0
        self._write_failed: Callable[[], Awaitable[None]] | None = None
        self._scripts: dict[str, AsyncScript] = {}

    def key(self, *parts: object) -> str:
        return ":".join((self.prefix, *(str(p) for p in parts)))

    def script(self, source: str) -> AsyncScript:
        """A Lua script registered with this client, once (EVALSHA, reloaded if Redis
        forgot it)."""
        found = self._scripts.get(source)
        if found is None:
            found = self._scripts[source] = self.client.register_script(source)
        return found

    def on_write_failure(self, callback: Callable[[], Awaitable[None]]) -> None:
        """``callback`` runs when a write is lost: Redis can no longer be believed."""
        self._write_failed = callback

    @property
    def reachable(self) -> bool:
        return time.monotonic() >= self._skip_until

    def _trip(self, exc: BaseException) -> None:
        if self.reachable:
            log.warning("redis unavailable, using PostgreSQL: %s", exc or type(exc).__name__)
        self._skip_until = time.monotonic() + BREAKER_SECONDS
        self.trusted = False

    async def read(self, op: Callable[[aioredis.Redis], Awaitable[T]]) -> T:
        """Run a read; raise ``CacheUnavailable`` if Redis is down or not to be believed."""
        # Every read refused here is answered from PostgreSQL by its caller.
        if not (self.trusted and self.reachable):
            cache_fell_back()
            raise CacheUnavailable
        try:
            return await self._call(op)
        except CacheUnavailable:
            cache_fell_back()
            raise

    async def write(self, op: Callable[[aioredis.Redis], Awaitable[T]]) -> T:
        """Run a write; a failed write marks the cache stale for every instance."""
        if not self.reachable:
            await self._lost_write()
            raise CacheUnavailable
        try:
            return await self._call(op)
        except CacheUnavailable:
            await self._lost_write()
            raise

    async def command(self, op: Callable[[aioredis.Redis], Awaitable[T]]) -> T:
        """Run anything else (rate limits, health checks) with the same timeouts."""
        if not self.reachable:
            raise CacheUnavailable
        return await self._call(op)

    async def probe(self, op: Callable[[aioredis.Redis], Awaitable[T]]) -> T:
        """Try Redis even while the breaker is open (the reconciler's health check);
        success closes the breaker."""
        result = await self._call(op)
        self._skip_until = 0.0
        return result

    async def _call(self, op: Callable[[aioredis.Redis], Awaitable[T]]) -> T:
        try:
            return await op(self.client)
        except FAILURES as exc:
            self._trip(exc)
            raise CacheUnavailable from exc

    async def _lost_write(self) -> None:
        if self._write_failed is not None:
            try:
                await self._write_failed()
            except Exception:
                log.exception("could not record that the cache is stale")

    async def ping(self) -> bool:
        try:
            return bool(await self._call(lambda r: r.ping()))
        except CacheUnavailable:
            return False

    async def close(self) -> None:
        await self.client.aclose()

