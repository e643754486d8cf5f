"""Votes through the JSON API: idempotent, one per person, closed on closed ideas."""

from __future__ import annotations

import pytest

from tests.factories import bearer, make_purpose, make_user, post_idea


async def _count(db, idea_id: int) -> int:
    return await db.fetchval("SELECT count(*) FROM votes WHERE idea_id = $1", idea_id)


async def test_vote_and_retract_are_idempotent(client, db):
    purpose = await make_purpose(db)
    _, author = await make_user(db)
    _, voter = await make_user(db)
    idea = await post_idea(client, author, purpose.slug)
    url = f"/api/v1/ideas/{idea['id']}/vote"
    for _ in range(2):
        response = await client.put(url, headers=bearer(voter))
        assert response.status_code == 200
        assert response.json() == {"voted": True, "votes": 1}
    assert await _count(db, idea["id"]) == 1
    shown = (await client.get(f"/api/v1/ideas/{idea['id']}", headers=bearer(voter))).json()
    assert (shown["votes"], shown["votes_this_month"], shown["voted_by_me"]) == (1, 1, True)
    for _ in range(2):
        response = await client.delete(url, headers=bearer(voter))
        assert response.status_code == 200
        assert response.json() == {"voted": False, "votes": 0}
    assert await _count(db, idea["id"]) == 0


async def test_voting_needs_a_sign_in(client, db):
    purpose = await make_purpose(db)
    _, author = await make_user(db)
    idea = await post_idea(client, author, purpose.slug)
    response = await client.put(f"/api/v1/ideas/{idea['id']}/vote")
    assert response.status_code == 401
    assert response.json()["status_code"] == 401


@pytest.mark.parametrize("status", ["withdrawn", "hidden", "implemented", "rejected"])
async def test_closed_ideas_refuse_votes_with_409(client, db, status):
    purpose = await make_purpose(db)
    _, author = await make_user(db)
    _, voter = await make_user(db, role="moderator")  # may see hidden ideas
    idea = await post_idea(client, author, purpose.slug)
    await client.put(f"/api/v1/ideas/{idea['id']}/vote", headers=bearer(voter))
    await db.execute("UPDATE ideas SET status = $2 WHERE id = $1", idea["id"], status)
    url = f"/api/v1/ideas/{idea['id']}/vote"
    assert (await client.put(url, headers=bearer(voter))).status_code == 409
    assert (await client.delete(url, headers=bearer(voter))).status_code == 409
    assert await _count(db, idea["id"]) == 1


async def test_promoted_ideas_still_take_votes(client, db):
    purpose = await make_purpose(db)
    _, author = await make_user(db)
    _, voter = await make_user(db)
    idea = await post_idea(client, author, purpose.slug)
    await db.execute("UPDATE ideas SET status = 'promoted' WHERE id = $1", idea["id"])
    response = await client.put(f"/api/v1/ideas/{idea['id']}/vote", headers=bearer(voter))
    assert response.json() == {"voted": True, "votes": 1}


async def test_audience_decides_who_may_vote(client, db):
    purpose = await make_purpose(db, audience="staff")
    _, staff = await make_user(db, role="staff")
    _, resident = await make_user(db)
    idea = await post_idea(client, staff, purpose.slug)
    response = await client.put(f"/api/v1/ideas/{idea['id']}/vote", headers=bearer(resident))
    assert response.status_code == 403
    assert await _count(db, idea["id"]) == 0


@pytest.mark.parametrize("path", ["/api/v1/ideas/0/vote", "/api/v1/ideas/-1/vote",
                                  "/api/v1/ideas/99999999999999999999999/vote",
                                  "/api/v1/ideas/abc/vote"])
async def test_bad_ids_are_4xx(client, db, path):
    _, voter = await make_user(db)
    response = await client.put(path, headers=bearer(voter))
    assert 400 <= response.status_code < 500


async def test_unknown_idea_is_404(client, db):
    _, voter = await make_user(db)
    response = await client.put("/api/v1/ideas/424242/vote", headers=bearer(voter))
    assert response.status_code == 404
