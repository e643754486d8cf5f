"""``ideabox cache rebuild`` as a real process."""

from __future__ import annotations

from ideabox.votes.reconcile import marker_key
from tests.conftest import NOW
from tests.factories import make_purpose, make_user, post_idea


async def test_cache_rebuild_puts_every_tally_right(client, db, app, run_cli):
    purpose = await make_purpose(db)
    voter, token = await make_user(db)
    idea = await post_idea(client, token, purpose.slug)
    await client.get(f"/api/v1/ideas/{idea['id']}")
    # Votes loaded behind the service's back (a bulk import, a restore): Redis is stale.
    await db.execute("INSERT INTO votes (idea_id, voter_id, created_at) VALUES ($1, $2, $3)",
                     idea["id"], voter.id, NOW)
    assert (await client.get(f"/api/v1/ideas/{idea['id']}")).json()["votes"] == 0
    code, out, err = await run_cli("cache", "rebuild", "--recount")
    assert code == 0, err
    assert "counted the votes of 1 ideas again" in out
    assert "rebuilt the tallies of 1 of 1 ideas" in out
    assert await db.fetchval("SELECT votes FROM idea_tallies WHERE idea_id = $1",
                             idea["id"]) == 1
    assert (await client.get(f"/api/v1/ideas/{idea['id']}")).json()["votes"] == 1
    generation = await db.fetchval("SELECT generation FROM cache_state")
    cache = app.state.services.cache
    assert int(await cache.client.get(marker_key(cache))) == generation
