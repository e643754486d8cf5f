"""Redis crashes under load and comes back holding an old snapshot: nothing fails (it is
only a cache), no write is lost, and the tallies are exact again by themselves."""

from __future__ import annotations

import asyncio
import time

import asyncpg
import pytest
import redis.asyncio as aioredis

from tests.conftest import ideabox_env
from tests.faults.harness import (
    LOAD_SETTINGS,
    Client,
    Load,
    VoteLedger,
    crash_redis,
    describe,
    eventually,
    make_scene,
    redis_tallies,
    restart,
    serve,
    tally_differences,
)

pytestmark = pytest.mark.slow

CLIENTS = 8
IDEAS = 40
OUTAGE_SECONDS = 2.0


async def test_a_redis_crash_fails_nothing_and_the_tallies_heal(
        database_url, own_redis, redis_prefix, tmp_path):
    env = {**ideabox_env(database_url, own_redis.url, redis_prefix, tmp_path / "data"),
           **LOAD_SETTINGS}
    async with serve(env, tmp_path / "serve.log", workers=2) as server:
        conn = await asyncpg.connect(database_url)
        try:
            scene = await make_scene(conn, server.url, voters=CLIENTS, ideas=IDEAS)
            ledger = VoteLedger()

            async def step(client: Client) -> None:
                idea = scene.ideas[(client.index * 5 + client.steps) % IDEAS]
                await ledger.toggle(client, scene.voters[client.index], idea)
                # Reads, anonymous: an idea, and a leaderboard (both from Redis while
                # it is believed, from PostgreSQL while not).
                await client.send("GET", f"/api/v1/ideas/{idea}")
                if client.steps % 4 == 0:
                    await client.send("GET", f"/api/v1/purposes/{scene.slug}/ideas",
                                      params={"sort": "top_month"})

            async with Load(server.url, CLIENTS, step) as load:
                await load.until_each_acknowledged(10)
                # Redis keeps a snapshot of the tallies as they are now; it will come
                # back holding these, behind every vote cast after.
                direct = aioredis.Redis.from_url(own_redis.url)
                try:
                    await direct.save()
                finally:
                    await direct.aclose()
                saved_at = time.monotonic()
                await load.until_each_acknowledged(10, since=saved_at)
                crashed_at = await crash_redis(own_redis)
                await load.until_each_acknowledged(10, since=crashed_at)
                await asyncio.sleep(max(0.0, crashed_at + OUTAGE_SECONDS - time.monotonic()))
                back_at = await restart(own_redis)
                await load.until_each_acknowledged(10, since=back_at)

            answers = load.answers
            summary = f"{describe(answers)}; log:\n{server.log()}"
            # Redis is a cache: its loss fails no request at all, not even one in flight.
            assert all(a.ok for a in answers), summary
            assert await ledger.differences(conn) == {"lost": set(), "undone": set()}
            async with redis_tallies(own_redis.url, redis_prefix) as tallies:
                async def exact() -> bool:
                    return not await tally_differences(server.url, conn, tallies, scene)

                healed = await eventually(exact, timeout=60, what="the tallies are exact")
        finally:
            await conn.close()
        print(f"redis down {back_at - crashed_at:.1f} s; tallies exact {healed:.1f} s after "
              f"the load; {describe(answers)}")
