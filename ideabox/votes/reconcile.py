"""Keeping the Redis tallies equal to ``count(*)`` over ``votes``, with no operator.

PostgreSQL's ``cache_state.generation`` says which version of the cache is current;
Redis holds the generation it was last rebuilt for (the *marker*). Instances believe
Redis only while the two agree. The generation moves on when

- a write to Redis fails (a delta was lost): every instance stops believing Redis;
- Redis restarts (its ``run_id`` changes): it may have come back with old data.

Every instance checks this every ``IDEABOX_RECONCILE_INTERVAL`` seconds; one of them
(under an advisory lock) rebuilds the whole cache from PostgreSQL and sets the marker,
and all go back to Redis. While Redis is believed, the same loop re-counts the ideas
whose tallies changed lately (the ``touched`` sets), which heals the small races
between a rebuild and the deltas in flight during it, and builds each new month's
leaderboard. At start-up every instance refreshes everything once, for the vote whose
Redis update was lost because a process died between its commit and that update.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable

import asyncpg
import redis.asyncio as aioredis
from litestar.datastructures import State

from ideabox.cache import Cache, CacheUnavailable
from ideabox.db import CONNECTION_ERRORS
from ideabox.votes.counts import idea_counts, purpose_counts
from ideabox.votes.reading import tallies_of
from ideabox.votes.tallies import Tallies

log = logging.getLogger(__name__)

REBUILD_LOCK = 0x1DEA_0001
MAINTAIN_LOCK = 0x1DEA_0002
TOUCHED_BATCH = 1000
_START_FAILURES: tuple[type[BaseException], ...] = (CacheUnavailable, *CONNECTION_ERRORS)

Progress = Callable[[int, int], None]  # (purposes done, purposes in all)


def marker_key(cache: Cache) -> str:
    return cache.key("cache-generation")


class GenerationBumper:
    """Moves the generation on after lost writes, coalescing many failures into few
    UPDATEs: a bump that started after a failure covers it."""

    def __init__(self, pool: asyncpg.Pool) -> None:
        self.pool = pool
        self._lock = asyncio.Lock()
        self._requested = 0
        self._done = 0

    async def request(self) -> None:
        self._requested += 1
        mine = self._requested
        async with self._lock:
            if self._done >= mine:
                return
            covers = self._requested
            async with self.pool.acquire() as conn:
                await conn.execute("UPDATE cache_state SET generation = generation + 1")
            self._done = covers


def install(state: State) -> None:
    """Wire the cache's lost-write hook to the generation (app start-up and CLI)."""
    state.cache.on_write_failure(GenerationBumper(state.pool).request)


async def rebuild_all(conn: asyncpg.Connection, tallies: Tallies,
                      progress: Progress | None = None) -> int:
    """Rebuild every tally and leaderboard from PostgreSQL; returns the ideas counted."""
    purposes = await conn.fetch("SELECT id, timezone FROM purposes ORDER BY id")
    ideas = 0
    for done, purpose in enumerate(purposes, start=1):
        month = tallies.month(purpose["timezone"])
        counts = await purpose_counts(conn, purpose["id"], month, purpose["timezone"])
        await tallies.write_hashes(purpose["id"], counts, month)
        await tallies.build_boards(purpose["id"], counts, month)
        ideas += len(counts)
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
    def __init__(self, state: State) -> None:
        self.pool: asyncpg.Pool = state.pool
        self.cache: Cache = state.cache
        self.tallies = tallies_of(state)

    async def tick(self) -> None:
        """One round: decide whether Redis can be believed; rebuild or maintain it."""
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
                await self._locked(conn, REBUILD_LOCK, self._rebuild, generation)
                return
            self.cache.trusted = True
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
            self.cache.trusted = True
            await self._maintain(conn)

    async def _refresh(self, conn: asyncpg.Connection) -> None:
        await rebuild_all(conn, self.tallies)

    async def _maintain(self, conn: asyncpg.Connection) -> None:
        """Re-count recently touched ideas; make sure this month's leaderboards exist."""
        for purpose in await conn.fetch("SELECT id, timezone FROM purposes"):
            tz, purpose_id = purpose["timezone"], purpose["id"]
            month = self.tallies.month(tz)
            missing = await self.tallies.missing_boards(purpose_id, month)
            if missing == ["top_month"] and await self.tallies.month_board_from_totals(
                    purpose_id, month):
                missing = []  # a new month: nobody has voted in it yet
            if missing:
                counts = await purpose_counts(conn, purpose_id, month, tz)
                await self.tallies.build_boards(purpose_id, counts, month, missing)
            while ids := await self.tallies.pop_touched(purpose_id, TOUCHED_BATCH):
                touched = await idea_counts(conn, ids, month, tz)
                await self.tallies.store(purpose_id, touched.values(), month)
                if len(ids) < TOUCHED_BATCH:
                    break


async def reconcile_forever(state: State) -> None:
    """The background task: refresh once at start, then check every few seconds."""
    reconciler = Reconciler(state)
    interval: float = state.settings.reconcile_interval
    try:
        await reconciler.refresh_everything()
    except _START_FAILURES as exc:
        log.warning("could not refresh the vote cache at start: %s", exc)
    while True:
        try:
            await reconciler.tick()
        except CONNECTION_ERRORS as exc:
            log.warning("vote cache check skipped, database unreachable: %s", exc)
        await asyncio.sleep(interval)
