"""The part that must never be wrong: the tally shown equals count(*) over votes."""

from __future__ import annotations

import asyncio
import dataclasses
import random
from datetime import timedelta

import msgspec

from ideabox.platform.cache import Cache, create_client
from ideabox.platform.db import Db
from ideabox.votes.counts import idea_counts
from ideabox.votes.reconcile import Reconciler
from ideabox.votes.service import cast_vote
from ideabox.votes.tallies import MONTH_WEIGHT, Tallies, Tally
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
    assert app.state.services.cache.trusted, "the race must be handled without distrusting Redis"
    for idea in ideas:
        truth = await _truth(db, idea["id"])
        assert await _shown(client, idea["id"]) == (truth, truth)
        kept = await db.fetchrow("SELECT votes, month_votes FROM idea_tallies "
                                 "WHERE idea_id = $1", idea["id"])
        assert tuple(kept) == (truth, truth)
    # The leaderboard agrees too.
    listing = (await client.get(f"/api/v1/purposes/{purpose.slug}/ideas?sort=top")).json()
    assert [i["votes"] for i in listing["items"]] == sorted(
        [await _truth(db, i["id"]) for i in ideas], reverse=True)


async def test_a_lost_redis_update_heals_when_reconciliation_runs(client, db, app, clock):
    """A process that dies between the commit and the Redis update leaves Redis one vote
    behind; the refresh every instance runs at start puts it right."""
    purpose = await make_purpose(db)
    _author, token = await make_user(db)
    voter, _ = await make_user(db)
    idea = await post_idea(client, token, purpose.slug)
    await client.get(f"/api/v1/ideas/{idea['id']}")  # cached: 0 votes
    # The vote statement commits, and the process dies before it tells Redis.
    nowhere = Cache(create_client("redis://127.0.0.1:1", 0.1), "nowhere")
    cut_off = dataclasses.replace(app.state.services, tallies=Tallies(nowhere, clock))
    await cast_vote(Db(db, clock.now()), cut_off, voter, idea["id"])
    await nowhere.close()
    assert await _truth(db, idea["id"]) == 1
    assert await _shown(client, idea["id"]) == (0, 0)  # the stale cache, as after a crash
    await Reconciler(app.state.services).refresh_everything()
    assert await _shown(client, idea["id"]) == (1, 1)


async def test_an_older_count_never_replaces_a_newer_one(client, db, app, clock):
    """Instances tell Redis in whatever order their writes arrive: a count is stored only
    if it is newer than the one held, so the last vote's count is what stays."""
    purpose = await make_purpose(db)
    _, token = await make_user(db)
    voters = [await make_user(db) for _ in range(3)]
    idea = await post_idea(client, token, purpose.slug)
    for _, voter_token in voters:
        await client.put(f"/api/v1/ideas/{idea['id']}/vote", headers=bearer(voter_token))
    tallies = app.state.services.tallies
    month = tallies.month("Europe/Copenhagen")
    newest = (await idea_counts(db, [idea["id"]]))[idea["id"]]
    assert (newest.total, newest.version) == (3, 3)
    # The first vote's write arriving last (from a slow instance) changes nothing.
    stale = msgspec.structs.replace(newest, total=1, month_votes=1, version=1)
    assert await tallies.put(purpose.id, stale, month) == Tally(3, 3)
    assert await _shown(client, idea["id"]) == (3, 3)
    top = await client.get(f"/api/v1/purposes/{purpose.slug}/ideas?sort=top")
    assert [i["votes"] for i in top.json()["items"]] == [3]
    board = tallies.keys(purpose.id).board("top", month)
    assert await app.state.services.cache.client.zscore(board, idea["id"]) == 3


async def test_a_board_built_while_votes_arrive_keeps_every_vote(client, db, app):
    """A leaderboard is built under a temporary name; votes meanwhile go to both, so the
    board that replaces the old one has them."""
    purpose = await make_purpose(db)
    _, token = await make_user(db)
    voters = [(await make_user(db))[1] for _ in range(30)]
    ideas = [await post_idea(client, token, purpose.slug) for _ in range(5)]
    tallies = app.state.services.tallies
    month = tallies.month("Europe/Copenhagen")
    await app.state.services.cache.client.delete(*tallies.keys(purpose.id).boards(month))
    rng = random.Random(3)
    votes = [client.put(f"/api/v1/ideas/{rng.choice(ideas)['id']}/vote",
                        headers=bearer(voter)) for voter in voters]
    build = tallies.build_boards(purpose.id, [i["id"] for i in ideas], month)
    await asyncio.gather(build, *votes)
    for board in ("top_month", "top"):
        key = tallies.keys(purpose.id).board(board, month)
        scores = dict(await app.state.services.cache.client.zrange(key, 0, -1, withscores=True))
        for idea in ideas:
            truth = await _truth(db, idea["id"])
            expected = truth * (MONTH_WEIGHT + 1) if board == "top_month" else truth
            assert scores.get(str(idea["id"]).encode()) == expected


async def test_votes_from_earlier_months_count_in_total_only(client, db, app, clock):
    purpose = await make_purpose(db)
    _, token = await make_user(db)
    _, old_token = await make_user(db)
    idea = await post_idea(client, token, purpose.slug)
    clock.set(NOW - timedelta(days=40))
    await client.put(f"/api/v1/ideas/{idea['id']}/vote", headers=bearer(old_token))
    clock.set(NOW)
    await client.put(f"/api/v1/ideas/{idea['id']}/vote", headers=bearer(token))
    assert await _shown(client, idea["id"]) == (2, 1)
    # Retracting last month's vote lowers the total, not this month's count.
    retracted = await client.delete(f"/api/v1/ideas/{idea['id']}/vote", headers=bearer(old_token))
    assert retracted.json() == {"voted": False, "votes": 1}
    assert await _shown(client, idea["id"]) == (1, 1)
