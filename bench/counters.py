"""Work the databases did per request: PostgreSQL transactions and Redis commands.

Rates move with the machine's load; the work behind each request does not, and it
explains a ratio better than any figure in requests per second. PostgreSQL counts
transactions (an autocommit statement is one, BEGIN…COMMIT is one however many
statements it holds); its backends report them about once a second, so a phase of
several seconds is counted within a few per cent. Redis counts the commands a Lua
script runs as well as the script itself.
"""

from __future__ import annotations

from dataclasses import dataclass

import asyncpg
import redis.asyncio as aioredis


@dataclass(frozen=True)
class Snapshot:
    pg_transactions: int
    redis_commands: int


class Counters:
    """Reads the database-wide counters of PostgreSQL and Redis."""

    def __init__(self, database_url: str, redis_url: str) -> None:
        self.database_url = database_url
        self.redis_url = redis_url
        self._conn: asyncpg.Connection | None = None
        self._redis: aioredis.Redis | None = None

    async def snapshot(self) -> Snapshot:
        if self._conn is None:
            self._conn = await asyncpg.connect(self.database_url)
        if self._redis is None:
            self._redis = aioredis.Redis.from_url(self.redis_url)
        # Our own pending statistics first, so this session's reads do not lag.
        await self._conn.execute("SELECT pg_stat_force_next_flush()")
        row = await self._conn.fetchrow(
            "SELECT xact_commit + xact_rollback AS xacts "
            "FROM pg_stat_database WHERE datname = current_database()")
        info = await self._redis.info("stats")
        assert row is not None
        return Snapshot(int(row["xacts"]), int(info["total_commands_processed"]))

    async def close(self) -> None:
        if self._conn is not None:
            await self._conn.close()
        if self._redis is not None:
            await self._redis.aclose()


def per_request(before: Snapshot, after: Snapshot, requests: int,
                own_transactions: int = 2) -> dict[str, float | None]:
    """Counter deltas divided by the requests that caused them. ``own_transactions``
    are the snapshot's own (the flush and the read of the first snapshot)."""
    if requests <= 0:
        return {"pg_transactions": None, "redis_commands": None}
    return {
        "pg_transactions": round((after.pg_transactions - before.pg_transactions
                                  - own_transactions) / requests, 2),
        # The INFO call itself is one command.
        "redis_commands": round((after.redis_commands - before.redis_commands - 1) / requests,
                                2),
    }
