"""The database's own vote rate: what a vote would cost with no web service in front.

Each of ``concurrency`` clients holds one connection from an asyncpg pool and, in
autocommit, runs the statement the service's vote boils down to. Durability is the
server's (synchronous_commit on), as for the service, so the ratio compares like with
like: what the service adds on top of the one INSERT it cannot avoid.
"""

from __future__ import annotations

import random
from collections.abc import Callable

import asyncpg
from loadgen import Operation, PhaseResult, Window, measure

INSERT_VOTE = "INSERT INTO votes (idea_id, voter_id) VALUES ($1, $2) ON CONFLICT DO NOTHING"


def _inserter(conn: asyncpg.Connection, pick: Callable[[], tuple[int, int]]) -> Operation:
    async def insert() -> tuple[int, bytes]:
        idea_id, voter_id = pick()
        try:
            await conn.execute(INSERT_VOTE, idea_id, voter_id)
        except asyncpg.PostgresError as exc:  # counted and shown, like an HTTP 500
            return 500, repr(exc).encode()
        return 200, b""

    return insert


async def raw_insert_phase(url: str, idea_ids: list[int], user_ids: list[int], *,
                           concurrency: int, warmup: float, duration: float,
                           meter: Window | None = None, seed: int = 2) -> PhaseResult:
    rng = random.Random(seed)

    def pick() -> tuple[int, int]:
        return rng.choice(idea_ids), rng.choice(user_ids)

    pool: asyncpg.Pool = await asyncpg.create_pool(url, min_size=concurrency,
                                                   max_size=concurrency)
    connections = [await pool.acquire() for _ in range(concurrency)]
    try:
        # Prepared once per connection by asyncpg's statement cache, as in the service.
        return await measure("raw INSERT (asyncpg)", [_inserter(c, pick) for c in connections],
                             warmup=warmup, duration=duration, meter=meter)
    finally:
        for conn in connections:
            await pool.release(conn)
        await pool.close()
