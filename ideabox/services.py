"""The services every part of ideabox works with, made once and handed on explicitly.

The app's lifespan opens them for a worker, the command line for a command
(``ideabox.runtime``); routes get them as one dependency (``ideabox.http.routing``),
service functions as an argument. Nothing else holds a pool, a Redis client or a clock.
"""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import datetime, timedelta

import asyncpg

from ideabox.ideas.cache import IdeaCache
from ideabox.identity.oidc.client import OidcClient
from ideabox.notifications.mail import Mailer
from ideabox.platform.background import Background
from ideabox.platform.cache import Cache, create_client
from ideabox.platform.clock import Clock, clock_for
from ideabox.platform.db import close_pool, create_pool
from ideabox.platform.settings import Settings
from ideabox.votes.generation import GenerationBumper
from ideabox.votes.tallies import Tallies


@dataclass(frozen=True, slots=True, kw_only=True)
class Services:
    settings: Settings
    clock: Clock
    pool: asyncpg.Pool
    cache: Cache
    tallies: Tallies
    ideas: IdeaCache
    mailer: Mailer
    background: Background
    # The OpenID providers' discovery documents and keys, cached, and the HTTP client
    # that fetches them (IDEABOX_OIDC_PROVIDERS).
    oidc: OidcClient

    @property
    def promotion_delay(self) -> timedelta:
        """How long after a month ends (in a purpose's zone) it is promoted."""
        return self.settings.promotion_delay

    def now(self) -> datetime:
        return self.clock.now()


@contextlib.asynccontextmanager
async def open_services(settings: Settings, clock: Clock | None = None, *,
                        pool_size: int | None = None,
                        statement_timeout: float | None = None) -> AsyncIterator[Services]:
    """The services over ``settings``' PostgreSQL and Redis, closed (after the
    background work has finished) when the block ends. Without a clock, the system's
    (or ``IDEABOX_NOW``'s)."""
    assert settings.database_url and settings.redis_url
    pool = await create_pool(settings.database_url,
                             max_size=pool_size or settings.db_pool_max,
                             timeout=settings.db_timeout, statement_timeout=statement_timeout)
    cache = Cache(create_client(settings.redis_url, settings.redis_timeout),
                  settings.redis_prefix)
    # A lost write to Redis moves the cache's generation on: every instance then stops
    # believing Redis until it has been rebuilt (ideabox.votes.reconcile).
    cache.on_write_failure(GenerationBumper(pool).request)
    clock = clock or clock_for(settings.now)
    background = Background()
    tallies = Tallies(cache, clock)
    services = Services(settings=settings, clock=clock, pool=pool, cache=cache,
                        tallies=tallies, ideas=IdeaCache(tallies), background=background,
                        mailer=Mailer(settings, pool, background),
                        oidc=OidcClient(settings.oidc_providers, settings.oidc_timeout))
    try:
        yield services
    finally:
        await background.drain()
        await services.oidc.close()
        await cache.close()
        await close_pool(pool, settings.db_timeout)
