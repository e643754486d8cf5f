"""Notifications, follows and notification settings through the JSON API."""

from __future__ import annotations

import pytest

from tests.factories import bearer, make_user
from tests.promotion.scene import Scene, change_status, cph


@pytest.fixture
async def answered(client, db) -> tuple[Scene, int]:
    """An idea that was promoted, then answered twice: three notifications for its voters."""
    scene = await Scene(client, db).build(promote_top_n=1, voters=2)
    idea = await scene.idea("Flere skraldespande ved stranden", cph(2026, 9, 2))
    await scene.votes(idea, range(2), cph(2026, 9, 3))
    assert (await scene.promote("2026-09")).status_code == 200
    assert (await scene.respond(idea, "under_review", "Vi kigger på det.")).status_code == 201
    assert (await scene.respond(idea, "accepted", "Det bliver til noget.")).status_code == 201
    return scene, idea


async def test_my_notifications_newest_first_with_the_unread_count(answered, client):
    scene, idea = answered
    token = scene.voters[0][1]
    page = (await client.get("/api/v1/me/notifications", headers=bearer(token))).json()
    assert page["unread"] == 3 and page["next_cursor"] is None
    assert [(n["kind"], n["from_status"], n["to_status"]) for n in page["items"]] == [
        ("answered", "under_review", "accepted"), ("answered", "promoted", "under_review"),
        ("promoted", "open", "promoted")]
    assert all(n["idea_id"] == idea and n["read_at"] is None for n in page["items"])
    assert page["items"][0]["idea_title"] == "Flere skraldespande ved stranden"

    first = (await client.get("/api/v1/me/notifications?limit=2", headers=bearer(token))).json()
    assert len(first["items"]) == 2 and first["next_cursor"]
    rest = (await client.get(f"/api/v1/me/notifications?limit=2&cursor={first['next_cursor']}",
                             headers=bearer(token))).json()
    assert [n["id"] for n in first["items"] + rest["items"]] == [n["id"] for n in page["items"]]
    assert rest["next_cursor"] is None


async def test_reading_one_and_all(answered, client):
    scene, _ = answered
    token = scene.voters[0][1]
    items = (await client.get("/api/v1/me/notifications", headers=bearer(token))).json()["items"]
    read = await client.post(f"/api/v1/me/notifications/{items[1]['id']}/read",
                             headers=bearer(token))
    assert read.status_code == 200 and read.json()["read_at"] is not None
    again = await client.post(f"/api/v1/me/notifications/{items[1]['id']}/read",
                              headers=bearer(token))
    assert again.json()["read_at"] == read.json()["read_at"]
    page = (await client.get("/api/v1/me/notifications", headers=bearer(token))).json()
    assert page["unread"] == 2
    # Someone else's notification is none of mine.
    other = await client.post(f"/api/v1/me/notifications/{items[0]['id']}/read",
                              headers=bearer(scene.voters[1][1]))
    assert other.status_code == 404
    everything = await client.post("/api/v1/me/notifications/read-all", headers=bearer(token))
    assert everything.status_code == 200 and everything.json() == {"unread": 0}
    page = (await client.get("/api/v1/me/notifications", headers=bearer(token))).json()
    assert page["unread"] == 0 and all(n["read_at"] for n in page["items"])
    # The other voter's are still unread.
    theirs = (await client.get("/api/v1/me/notifications",
                               headers=bearer(scene.voters[1][1]))).json()
    assert theirs["unread"] == 3


async def test_notifications_need_a_sign_in_and_a_good_cursor(client, db):
    assert (await client.get("/api/v1/me/notifications")).status_code == 401
    assert (await client.post("/api/v1/me/notifications/read-all")).status_code == 401
    _, token = await make_user(db)
    bad = await client.get("/api/v1/me/notifications?cursor=nonsense", headers=bearer(token))
    assert bad.status_code == 400 and bad.json()["extra"][0]["key"] == "cursor"
    empty = (await client.get("/api/v1/me/notifications", headers=bearer(token))).json()
    assert empty == {"items": [], "next_cursor": None, "unread": 0}


async def test_notifications_about_an_idea_hidden_later_are_kept_out_of_sight(answered, client,
                                                                                app):
    scene, idea = answered
    await change_status(app, idea, "accepted", "hidden", by=scene.admin.id, trigger="hidden")
    voter = (await client.get("/api/v1/me/notifications",
                              headers=bearer(scene.voters[0][1]))).json()
    assert voter == {"items": [], "next_cursor": None, "unread": 0}
    author = (await client.get("/api/v1/me/notifications",
                               headers=bearer(scene.author_token))).json()
    assert author["unread"] == 3


async def test_following_is_idempotent(client, db):
    scene = await Scene(client, db).build(voters=0)
    idea = await scene.idea("En idé at følge", cph(2026, 9, 2))
    _, token = await make_user(db)
    url = f"/api/v1/ideas/{idea}/follow"
    assert (await client.get(url, headers=bearer(token))).json() == {"idea_id": idea,
                                                                     "following": False}
    for _ in range(2):
        followed = await client.put(url, headers=bearer(token))
        assert followed.status_code == 200
        assert followed.json() == {"idea_id": idea, "following": True}
    assert await db.fetchval("SELECT count(*) FROM follows WHERE idea_id = $1", idea) == 1
    assert (await client.get(url, headers=bearer(token))).json()["following"] is True
    for _ in range(2):
        unfollowed = await client.delete(url, headers=bearer(token))
        assert unfollowed.status_code == 200
        assert unfollowed.json() == {"idea_id": idea, "following": False}
    assert await db.fetchval("SELECT count(*) FROM follows WHERE idea_id = $1", idea) == 0
    assert (await client.put(url)).status_code == 401
    assert (await client.put("/api/v1/ideas/999999/follow",
                             headers=bearer(token))).status_code == 404


async def test_notification_settings(client, db):
    _, token = await make_user(db)
    url = "/api/v1/me/notification-settings"
    assert (await client.get(url, headers=bearer(token))).json() == {"email": True,
                                                                     "language": None}
    changed = await client.put(url, headers=bearer(token), json={"email": False,
                                                                 "language": "en"})
    assert changed.status_code == 200
    assert (await client.get(url, headers=bearer(token))).json() == {"email": False,
                                                                     "language": "en"}
    bad = await client.put(url, headers=bearer(token), json={"email": True, "language": "de"})
    assert bad.status_code == 400 and "language" in str(bad.json()["extra"])
    assert (await client.get(url)).status_code == 401
