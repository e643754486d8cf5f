"""The part that must never be wrong: the tally shown equals count(*) over votes."""

from __future__ import annotations

import asyncio
import random

from ideabox.votes.reading import tallies_of
from ideabox.votes.reconcile import Reconciler
from tests.conftest import NOW
from tests.factories import bearer, make_purpose, make_user, post_idea


async def _shown(client, idea_id: int) -> tuple[int, int]:
    idea = (await client.get(f"/api/v1/ideas/{idea_id}")).json()
    return idea["votes"], idea["votes_this_month"]


async def _truth(db, idea_id: int) -> int:
    return await db.fetchval("SELECT count(*) FROM votes WHERE idea_id = $1", idea_id)


async def test_hundreds_of_racing_votes_and_retractions_end_exact(client, db, app):
    purpose = await make_purpose(db)
    _, author = await make_user(db)
    ideas = [await post_idea(client, author, purpose.slug) for _ in range(3)]
    voters = [(await make_user(db))[1] for _ in range(40)]
    rng = random.Random(7)
    calls = []
    for _ in range(600):
        token, idea = rng.choice(voters), rng.choice(ideas)
        method = rng.choice((client.put, client.put, client.delete))
        calls.append(method(f"/api/v1/ideas/{idea['id']}/vote", headers=bearer(token)))
    responses = await asyncio.gather(*calls)
    assert {r.status_code for r in responses} == {200}
    assert app.state.cache.trusted, "the race must be handled without distrusting Redis"
    for idea in ideas:
        truth = await _truth(db, idea["id"])
        assert await _shown(client, idea["id"]) == (truth, truth)
    # The leaderboard agrees too.
    listing = (await client.get(f"/api/v1/purposes/{purpose.slug}/ideas?sort=top")).json()
    assert [i["votes"] for i in listing["items"]] == sorted(
        [await _truth(db, i["id"]) for i in ideas], reverse=True)


async def test_a_lost_redis_update_heals_when_reconciliation_runs(client, db, app):
    """A process that dies between the commit and the Redis update leaves Redis one vote
    behind; the refresh every instance runs at start puts it right."""
    purpose = await make_purpose(db)
    _author, token = await make_user(db)
    voter, _ = await make_user(db)
    idea = await post_idea(client, token, purpose.slug)
    await client.get(f"/api/v1/ideas/{idea['id']}")  # cached: 0 votes
    await db.execute("INSERT INTO votes (idea_id, voter_id, created_at) VALUES ($1, $2, $3)",
                     idea["id"], voter.id, NOW)
    assert await _shown(client, idea["id"]) == (0, 0)  # the stale cache, as after a crash
    await Reconciler(app.state).refresh_everything()
    assert await _shown(client, idea["id"]) == (1, 1)


async def test_touched_ideas_are_recounted(client, db, app):
    purpose = await make_purpose(db)
    _, token = await make_user(db)
    idea = await post_idea(client, token, purpose.slug)
    await client.put(f"/api/v1/ideas/{idea['id']}/vote", headers=bearer(token))
    # A rebuild racing a delta can leave a wrong count; the idea is in the touched set.
    keys = tallies_of(app.state).keys(purpose.id)
    await app.state.cache.client.hset(keys.idea(idea["id"]), mapping={"total": 41, "mv": 41})
    await app.state.cache.client.sadd(keys.touched, idea["id"])
    assert await _shown(client, idea["id"]) == (41, 41)
    await Reconciler(app.state).tick()
    assert await _shown(client, idea["id"]) == (1, 1)


async def test_votes_from_earlier_months_count_in_total_only(client, db, app):
    purpose = await make_purpose(db)
    _, token = await make_user(db)
    old_voter, old_token = await make_user(db)
    idea = await post_idea(client, token, purpose.slug)
    await db.execute("INSERT INTO votes (idea_id, voter_id, created_at) "
                     "VALUES ($1, $2, $3::timestamptz - interval '40 days')",
                     idea["id"], old_voter.id, NOW)
    await Reconciler(app.state).refresh_everything()
    await client.put(f"/api/v1/ideas/{idea['id']}/vote", headers=bearer(token))
    assert await _shown(client, idea["id"]) == (2, 1)
    # Retracting last month's vote lowers the total, not this month's count.
    retracted = await client.delete(f"/api/v1/ideas/{idea['id']}/vote", headers=bearer(old_token))
    assert retracted.json() == {"voted": False, "votes": 1}
    assert await _shown(client, idea["id"]) == (1, 1)
