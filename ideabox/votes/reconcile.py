"""Keeping the Redis tallies equal to ``idea_tallies`` (and so to ``count(*)`` over
``votes``), with no operator.

Redis replaces a tally only with a newer version, so writes racing each other never
leave it wrong; what can leave it wrong is a write that never arrived. PostgreSQL's
``cache_state.generation`` says which version of the cache is current; Redis holds the
generation it was last rebuilt for (the *marker*). Instances believe Redis only while
the two agree. The generation moves on when

- a write to Redis fails (a count was lost): every instance stops believing Redis;
- Redis restarts (its ``run_id`` changes): it may have come back with old data.

Every worker checks this every ``IDEABOX_RECONCILE_INTERVAL`` seconds (whether to
believe Redis is each worker's own judgement); the elected leader
(``ideabox.election``, and under an advisory lock should two ever lead at once) copies
every count newer than Redis's from PostgreSQL, rebuilds the leaderboards and sets the
marker, and all go back to Redis. While Redis is
believed, the same loop builds each new month's leaderboard. At start-up every instance
refreshes everything once, for the vote whose Redis update was lost because a process
died between its commit and that update.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Sequence

import asyncpg
import redis.asyncio as aioredis

from ideabox.metrics.counters import cache_rebuilt, reconciled
from ideabox.platform.cache import Cache, CacheUnavailable
from ideabox.platform.db import CONNECTION_ERRORS
from ideabox.services import Services
from ideabox.votes.counts import purpose_counts
from ideabox.votes.tallies import BOARDS, Tallies

log = logging.getLogger(__name__)

REBUILD_LOCK = 0x1DEA_0001
MAINTAIN_LOCK = 0x1DEA_0002
_START_FAILURES: tuple[type[BaseException], ...] = (CacheUnavailable, *CONNECTION_ERRORS)

Progress = Callable[[int, int], None]  # (purposes done, purposes in all)


def marker_key(cache: Cache) -> str:
    return cache.key("cache-generation")


async def refresh_purpose(conn: asyncpg.Connection, tallies: Tallies, purpose_id: int,
                          tz: str, boards: Sequence[str] = BOARDS, *, changed: bool = True,
                          lost_is_harmless: bool = False) -> int:
    """Copy a purpose's counts from PostgreSQL to Redis where Redis holds older ones (or
    none), then build its leaderboards from them; returns the ideas counted.
    ``changed``: drop the ideas' cached documents too (a full rebuild)."""
    month = tallies.month(tz)
    counts = await purpose_counts(conn, purpose_id)
    await tallies.put_many(purpose_id, counts, month, changed=changed,
                           lost_is_harmless=lost_is_harmless)
    if boards:
        await tallies.build_boards(purpose_id, [c.idea_id for c in counts], month, boards)
    return len(counts)


async def rebuild_all(conn: asyncpg.Connection, tallies: Tallies,
                      progress: Progress | None = None) -> int:
    """Rebuild every tally and leaderboard from PostgreSQL; returns the ideas counted."""
    purposes = await conn.fetch("SELECT id, timezone FROM purposes ORDER BY id")
    ideas = 0
    for done, purpose in enumerate(purposes, start=1):
        ideas += await refresh_purpose(conn, tallies, purpose["id"], purpose["timezone"])
        if progress:
            progress(done, len(purposes))
    return ideas


async def mark_rebuilt(conn: asyncpg.Connection, cache: Cache, generation: int) -> bool:
    """Tell every instance Redis is current, unless the generation moved meanwhile."""
    now = await conn.fetchval("SELECT generation FROM cache_state")
    if now != generation:
        return False
    await cache.command(lambda r: r.set(marker_key(cache), generation))
    return True


class Reconciler:
    def __init__(self, services: Services) -> None:
        self.pool: asyncpg.Pool = services.pool
        self.cache: Cache = services.cache
        self.tallies = services.tallies

    async def tick(self, *, lead: bool = True) -> None:
        """One round: decide whether Redis can be believed; if ``lead``, rebuild or
        maintain it."""
        async with self.pool.acquire() as conn:
            state = await conn.fetchrow("SELECT generation, redis_run_id FROM cache_state")
            assert state is not None
            try:
                marker, run_id = await self.cache.probe(self._marker_and_run_id)
            except CacheUnavailable:
                self.cache.trusted = False
                return
            generation: int = state["generation"]
            if run_id != state["redis_run_id"]:
                # Redis (re)started: whatever it holds may predate writes since made.
                bumped = await conn.fetchval(
                    "UPDATE cache_state SET generation = generation + 1, redis_run_id = $1 "
                    "WHERE redis_run_id IS DISTINCT FROM $1 RETURNING generation", run_id)
                generation = bumped or await conn.fetchval(
                    "SELECT generation FROM cache_state")
            if marker != generation:
                self.cache.trusted = False
                if lead:
                    await self._locked(conn, REBUILD_LOCK, self._rebuild, generation)
                return
            self.cache.trusted = True
            if lead:
                await self._locked(conn, MAINTAIN_LOCK, self._maintain)

    async def refresh_everything(self) -> None:
        """Recount everything while going on believing Redis (at start-up)."""
        async with self.pool.acquire() as conn:
            await self._locked(conn, REBUILD_LOCK, self._refresh)

    async def _marker_and_run_id(self, client: aioredis.Redis) -> tuple[int | None, str]:
        pipe = client.pipeline(transaction=False)
        pipe.get(marker_key(self.cache))
        pipe.info("server")
        marker, info = await pipe.execute()
        return (int(marker) if marker is not None else None), str(info["run_id"])

    async def _locked(self, conn: asyncpg.Connection, key: int,
                      work: Callable[..., Awaitable[None]], *args: object) -> None:
        if not await conn.fetchval("SELECT pg_try_advisory_lock($1)", key):
            return  # another instance is at it
        try:
            await work(conn, *args)
        except CacheUnavailable:
            self.cache.trusted = False
        finally:
            await conn.execute("SELECT pg_advisory_unlock($1)", key)

    async def _rebuild(self, conn: asyncpg.Connection, generation: int) -> None:
        ideas = await rebuild_all(conn, self.tallies)
        if await mark_rebuilt(conn, self.cache, generation):
            log.info("rebuilt the vote cache", extra={"ideas": ideas, "generation": generation})
            cache_rebuilt()
            self.cache.trusted = True
            await self._maintain(conn)

    async def _refresh(self, conn: asyncpg.Connection) -> None:
        await rebuild_all(conn, self.tallies)

    async def _maintain(self, conn: asyncpg.Connection) -> None:
        """Make sure this month's leaderboards exist (a new month has begun, a purpose is
        new)."""
        for purpose in await conn.fetch("SELECT id, timezone FROM purposes"):
            tz, purpose_id = purpose["timezone"], purpose["id"]
            missing = await self.tallies.missing_boards(purpose_id, self.tallies.month(tz))
            if missing:
                await refresh_purpose(conn, self.tallies, purpose_id, tz, missing,
                                      changed=False)


async def reconcile_forever(services: Services,
                            leading: Callable[[], bool] = lambda: True) -> None:
    """The background task: refresh once at start, then check every few seconds,
    rebuilding or maintaining the cache while ``leading()``."""
    reconciler = Reconciler(services)
    interval = services.settings.reconcile_interval
    try:
        await reconciler.refresh_everything()
    except _START_FAILURES as exc:
        log.warning("could not refresh the vote cache at start: %s", exc)
    while True:
        try:
            await reconciler.tick(lead=leading())
            reconciled()
        except CONNECTION_ERRORS as exc:
            log.warning("vote cache check skipped, database unreachable: %s", exc)
        await asyncio.sleep(interval)
