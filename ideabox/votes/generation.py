"""The cache's generation: a lost write to Redis moves it on in PostgreSQL, and every
instance then stops believing Redis until it has been rebuilt (``reconcile.py``)."""

from __future__ import annotations

import asyncio

import asyncpg


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
