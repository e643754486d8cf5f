"""Redis is a cache: while it is down everything works from PostgreSQL, and when it comes
back, even holding tallies from before the outage, they heal by themselves."""

from __future__ import annotations

import time
from pathlib import Path

import msgspec
import pytest
import redis.asyncio as aioredis

from ideabox.http.app import create_app
from ideabox.platform.embedded import EmbeddedRedis
from ideabox.votes.reconcile import Reconciler
from tests.conftest import serving
from tests.factories import bearer, make_purpose, make_user, post_idea


@pytest.fixture
def own_redis(tmp_path: Path):
    server = EmbeddedRedis(tmp_path / "redis", durable=True)
    server.start()
    yield server
    server.stop()


async def test_an_outage_then_stale_data_heals(settings, db, own_redis):
    app = create_app(msgspec.structs.replace(settings, redis_url=own_redis.url))
    async with serving(app) as client:
        purpose = await make_purpose(db)
        _, author = await make_user(db)
        voters = [(await make_user(db))[1] for _ in range(6)]
        ideas = [await post_idea(client, author, purpose.slug) for _ in range(2)]
        for token in voters[:3]:
            await client.put(f"/api/v1/ideas/{ideas[0]['id']}/vote", headers=bearer(token))
        # Redis saves a snapshot now; it will come back holding exactly this.
        direct = aioredis.Redis.from_url(own_redis.url)
        await direct.save()
        await direct.aclose()
        own_redis.stop()

        # During the outage: votes, ideas, comments, sign-up and sign-in all work,
        # fast, and reads are right (from PostgreSQL).
        slowest = 0.0
        for token in voters[3:]:
            for idea in ideas:
                started = time.monotonic()
                response = await client.put(f"/api/v1/ideas/{idea['id']}/vote",
                                            headers=bearer(token))
                slowest = max(slowest, time.monotonic() - started)
                assert response.status_code == 200
        started = time.monotonic()
        retract = await client.delete(f"/api/v1/ideas/{ideas[0]['id']}/vote",
                                      headers=bearer(voters[0]))
        slowest = max(slowest, time.monotonic() - started)
        assert retract.json() == {"voted": False, "votes": 5}
        assert slowest < 1.0, f"a request waited {slowest:.2f}s for Redis"
        new_idea = await post_idea(client, author, purpose.slug)
        comment = await client.post(f"/api/v1/ideas/{new_idea['id']}/comments",
                                    headers=bearer(author), json={"body": "Godt forslag"})
        assert comment.status_code == 201
        signup = await client.post("/api/v1/users", json={
            "email": "udfald@example.dk", "password": "lang nok adgangskode",
            "display_name": "Under udfald"})
        assert signup.status_code == 201
        signin = await client.post("/api/v1/tokens", json={
            "email": "udfald@example.dk", "password": "lang nok adgangskode"})
        assert signin.status_code == 201
        shown = (await client.get(f"/api/v1/ideas/{ideas[0]['id']}")).json()
        assert (shown["votes"], shown["votes_this_month"]) == (5, 5)
        listing = await client.get(f"/api/v1/purposes/{purpose.slug}/ideas?sort=top_month")
        assert listing.status_code == 200
        assert [i["votes"] for i in listing.json()["items"]] == [5, 3, 0]
        readiness = (await client.get("/readyz")).json()
        assert readiness["redis"] == "down" and readiness["postgres"] == "ok"

        # Redis returns, holding the tallies from before the outage (3 and 0).
        own_redis.start()
        stale = aioredis.Redis.from_url(own_redis.url)
        keys = [k async for k in stale.scan_iter(match=f"{settings.redis_prefix}:*idea*")]
        assert keys, "the snapshot should have brought the old tallies back"
        await stale.aclose()
        # Until the reconciler has looked, Redis is not believed: reads stay right.
        shown = (await client.get(f"/api/v1/ideas/{ideas[0]['id']}")).json()
        assert shown["votes"] == 5
        # One reconciler round (every 2 s in `serve`) notices and rebuilds.
        await Reconciler(app.state.services).tick()
        assert app.state.services.cache.trusted
        for idea in ideas:
            truth = await db.fetchval("SELECT count(*) FROM votes WHERE idea_id = $1",
                                      idea["id"])
            shown = (await client.get(f"/api/v1/ideas/{idea['id']}")).json()
            assert (shown["votes"], shown["votes_this_month"]) == (truth, truth)
        listing = await client.get(f"/api/v1/purposes/{purpose.slug}/ideas?sort=top_month")
        assert [i["votes"] for i in listing.json()["items"]] == [5, 3, 0]
