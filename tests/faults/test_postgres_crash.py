"""PostgreSQL crashes under load and comes back: every vote and retraction a client was
told about is on record, no request got a 500, and the tallies are exact again."""

from __future__ import annotations

import asyncio
import time

import asyncpg
import pytest

from tests.conftest import ideabox_env
from tests.faults.harness import (
    LOAD_SETTINGS,
    Client,
    Load,
    VoteLedger,
    crash_postgres,
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
OUTAGE_SECONDS = 3.0


async def test_a_postgres_crash_loses_no_acknowledged_vote_and_gives_no_500(
        own_postgres, redis_url, redis_prefix, tmp_path):
    env = {**ideabox_env(own_postgres.url, redis_url, redis_prefix, tmp_path / "data"),
           **LOAD_SETTINGS}
    async with serve(env, tmp_path / "serve.log", workers=2) as server:
        conn = await asyncpg.connect(own_postgres.url)
        try:
            scene = await make_scene(conn, server.url, voters=CLIENTS, ideas=IDEAS)
        finally:
            await conn.close()  # the crash would break it
        ledger = VoteLedger()
        # Until PostgreSQL is back the clients vote on the first half of the ideas, then
        # on the other: a vote in flight at the crash is not followed by another on its
        # idea, which would recount it and hide a tally the crash left wrong.
        halves = [scene.ideas[:IDEAS // 2], scene.ideas[IDEAS // 2:]]
        phase = 0

        async def step(client: Client) -> None:
            # Each client walks its half from its own place: a vote or retraction
            # acknowledged is not touched again, and the votes table is held against
            # every acknowledgement as it was given.
            ideas = halves[phase]
            idea = ideas[(client.index * 2 + client.steps) % len(ideas)]
            await ledger.toggle(client, scene.voters[client.index], idea)
            # Reads, anonymous: an idea (Redis) and a list (PostgreSQL).
            await client.send("GET", f"/api/v1/ideas/{idea}")
            if client.steps % 4 == 0:
                await client.send("GET", "/api/v1/purposes")

        async with Load(server.url, CLIENTS, step) as load:
            await load.until_each_acknowledged(10)
            crashed_at = await crash_postgres(own_postgres)

            # Down for a while, as a real restart is: every client meets the outage.
            def all_met_it() -> bool:
                return all(any(not a.ok and a.started >= crashed_at for a in c.answers)
                           for c in load.clients)

            await eventually(all_met_it, timeout=30, what="every client meets the outage")
            await asyncio.sleep(max(0.0, crashed_at + OUTAGE_SECONDS - time.monotonic()))
            back_at = await restart(own_postgres)
            phase = 1
            await load.until_each_acknowledged(10, since=back_at)

        answers = load.answers
        summary = f"{describe(answers)}; log:\n{server.log()}"
        # Never a 500: a request either worked or was told to come back (503 with
        # Retry-After); the server itself stayed up, so no connection failed.
        assert all(a.ok or a.unavailable for a in answers), summary
        unavailable = [a for a in answers if a.unavailable]
        assert unavailable, "the outage was not seen"
        # Only during the outage: from the crash (requests then in flight) until a few
        # seconds after PostgreSQL was back (the pool reconnecting).
        outside = [a for a in unavailable if a.ended < crashed_at or a.started > back_at + 5]
        assert not outside, (f"503s outside the outage (crash at {crashed_at:.2f}, back "
                             f"at {back_at:.2f}): {outside[:5]}; {summary}")
        conn = await asyncpg.connect(own_postgres.url)
        try:
            assert await ledger.differences(conn) == {"lost": set(), "undone": set()}
            async with redis_tallies(redis_url, redis_prefix) as tallies:
                async def exact() -> bool:
                    return not await tally_differences(server.url, conn, tallies, scene)

                healed = await eventually(exact, timeout=60, what="the tallies are exact")
        finally:
            await conn.close()
        print(f"postgres down {back_at - crashed_at:.1f} s; tallies exact {healed:.1f} s "
              f"after the load; {describe(answers)}")
