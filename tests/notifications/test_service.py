"""Who is told about a promotion or a response: author, voters, followers, once each."""

from __future__ import annotations

import json

from tests.factories import bearer, make_user
from tests.promotion.scene import Scene, cph


async def _recipients(db, idea_id: int) -> dict[int, list[str]]:
    rows = await db.fetch("SELECT user_id, kind FROM notifications WHERE idea_id = $1 "
                          "ORDER BY id", idea_id)
    found: dict[int, list[str]] = {}
    for row in rows:
        found.setdefault(row["user_id"], []).append(row["kind"])
    return found


async def test_a_promotion_tells_author_voters_and_followers_once_each(client, db):
    scene = await Scene(client, db).build(promote_top_n=1, voters=3)
    idea = await scene.idea("Bedre belysning i parken", cph(2026, 9, 2))
    await scene.votes(idea, range(2), cph(2026, 9, 3))
    follower, follower_token = await make_user(db)
    await client.put(f"/api/v1/ideas/{idea}/follow", headers=bearer(follower_token))
    # The author also votes and follows: still one notification.
    await client.put(f"/api/v1/ideas/{idea}/vote", headers=bearer(scene.author_token))
    await client.put(f"/api/v1/ideas/{idea}/follow", headers=bearer(scene.author_token))
    # A voter who deleted their account is not told.
    gone, gone_token = scene.voters[1]
    assert (await client.delete("/api/v1/me", headers=bearer(gone_token))).status_code == 204
    # Nor is someone who voted for another idea only.
    bystander = scene.voters[2][0]

    assert (await scene.promote("2026-09")).status_code == 200
    told = await _recipients(db, idea)
    assert told == {scene.author.id: ["promoted"], scene.voters[0][0].id: ["promoted"],
                    follower.id: ["promoted"]}
    assert gone.id not in told and bystander.id not in told
    row = await db.fetchrow("SELECT n.payload, sc.to_status FROM notifications n "
                            "JOIN idea_status_changes sc ON sc.id = n.status_change_id LIMIT 1")
    assert json.loads(row["payload"]) == {"from_status": "open", "to_status": "promoted"}


async def test_a_response_tells_everyone_but_the_admin_who_wrote_it(client, db):
    scene = await Scene(client, db).build(promote_top_n=1, voters=2)
    idea = await scene.idea("Nemmere adgang til genbrugsstationen", cph(2026, 9, 2))
    await scene.votes(idea, range(2), cph(2026, 9, 3))
    await client.put(f"/api/v1/ideas/{idea}/vote", headers=bearer(scene.admin_token))
    assert (await scene.promote("2026-09")).status_code == 200
    assert (await scene.respond(idea, "accepted", "Det gør vi.")).status_code == 201
    told = await _recipients(db, idea)
    assert scene.admin.id not in told  # they voted, but they made both changes
    assert told == {viewer.id: ["promoted", "answered"]
                    for viewer in [scene.author, *(v for v, _ in scene.voters)]}


async def test_a_change_that_fails_leaves_no_notifications(client, db):
    scene = await Scene(client, db).build(promote_top_n=1)
    idea = await scene.idea("Afvist to gange", cph(2026, 9, 2))
    await scene.votes(idea, range(2), cph(2026, 9, 3))
    assert (await scene.promote("2026-09")).status_code == 200
    before = await db.fetchval("SELECT count(*) FROM notifications")
    assert (await scene.respond(idea, "implemented", "For tidligt.")).status_code == 409
    assert await db.fetchval("SELECT count(*) FROM notifications") == before
