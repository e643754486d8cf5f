"""Comments through the JSON API: threads, replies, editing, deleting, counting."""

from __future__ import annotations

from datetime import timedelta

from tests.factories import bearer, make_purpose, make_user, post_idea


async def _comment(client, token, idea_id, body="Godt tænkt", parent_id=None):
    response = await client.post(f"/api/v1/ideas/{idea_id}/comments", headers=bearer(token),
                                 json={"body": body, "parent_id": parent_id})
    assert response.status_code == 201, response.text
    return response.json()


async def test_a_thread_with_replies(client, db):
    purpose = await make_purpose(db)
    _, alice = await make_user(db, display_name="Alice")
    _, bo = await make_user(db, display_name="Bo")
    idea = await post_idea(client, alice, purpose.slug)
    first = await _comment(client, bo, idea["id"], "Hvad med *cykler*?")
    assert first["body_html"] == "<p>Hvad med <em>cykler</em>?</p>\n"
    assert first["author"]["display_name"] == "Bo"
    reply = await _comment(client, alice, idea["id"], "Godt punkt", first["id"])
    nested = await _comment(client, bo, idea["id"], "Tak", reply["id"])
    second = await _comment(client, alice, idea["id"], "En ting mere")
    thread = (await client.get(f"/api/v1/ideas/{idea['id']}/comments")).json()
    assert thread["next_cursor"] is None
    assert [c["id"] for c in thread["items"]] == [first["id"], second["id"]]
    assert thread["items"][0]["replies"][0]["id"] == reply["id"]
    assert thread["items"][0]["replies"][0]["replies"][0]["id"] == nested["id"]
    idea_now = (await client.get(f"/api/v1/ideas/{idea['id']}")).json()
    assert idea_now["comment_count"] == 4  # replies count too


async def test_a_parent_must_belong_to_the_same_idea(client, db):
    purpose = await make_purpose(db)
    _, token = await make_user(db)
    one = await post_idea(client, token, purpose.slug)
    other = await post_idea(client, token, purpose.slug)
    foreign = await _comment(client, token, other["id"])
    response = await client.post(f"/api/v1/ideas/{one['id']}/comments", headers=bearer(token),
                                 json={"body": "svar", "parent_id": foreign["id"]})
    assert response.status_code == 400
    assert response.json()["extra"][0]["key"] == "parent_id"
    missing = await client.post(f"/api/v1/ideas/{one['id']}/comments", headers=bearer(token),
                                json={"body": "svar", "parent_id": 987654})
    assert missing.status_code == 400


async def test_edit_and_delete_own(client, db, clock):
    purpose = await make_purpose(db)
    _, alice = await make_user(db)
    _, bo = await make_user(db)
    _, moderator = await make_user(db, role="moderator")
    idea = await post_idea(client, alice, purpose.slug)
    comment = await _comment(client, bo, idea["id"])
    reply = await _comment(client, alice, idea["id"], "Svar", comment["id"])
    url = f"/api/v1/comments/{comment['id']}"
    assert (await client.patch(url, headers=bearer(alice), json={"body": "x"})).status_code == 403
    clock.advance(timedelta(minutes=3))
    edited = await client.patch(url, headers=bearer(bo), json={"body": "Rettet"})
    assert edited.status_code == 200
    assert edited.json()["edited"] is True and edited.json()["body"] == "Rettet"
    assert (await client.delete(url, headers=bearer(alice))).status_code == 403
    assert (await client.delete(url, headers=bearer(bo))).status_code == 204
    assert (await client.delete(url, headers=bearer(bo))).status_code == 204  # no-op
    thread = (await client.get(f"/api/v1/ideas/{idea['id']}/comments")).json()
    deleted = thread["items"][0]
    assert deleted["deleted"] is True
    assert (deleted["body"], deleted["body_html"], deleted["author"]) == ("", "", None)
    assert deleted["replies"][0]["id"] == reply["id"]  # the reply keeps its context
    assert (await client.patch(url, headers=bearer(bo), json={"body": "igen"})).status_code == 409
    refused = await client.post(f"/api/v1/ideas/{idea['id']}/comments", headers=bearer(alice),
                                json={"body": "svar", "parent_id": comment["id"]})
    assert refused.status_code == 409
    # Moderators may delete anyone's comment.
    reply_url = f"/api/v1/comments/{reply['id']}"
    assert (await client.delete(reply_url, headers=bearer(moderator))).status_code == 204
    assert (await client.get(f"/api/v1/ideas/{idea['id']}")).json()["comment_count"] == 0


async def test_comment_pages_never_split_a_thread(client, db):
    purpose = await make_purpose(db)
    _, token = await make_user(db)
    idea = await post_idea(client, token, purpose.slug)
    tops = [await _comment(client, token, idea["id"], f"Kommentar {n}") for n in range(5)]
    await _comment(client, token, idea["id"], "svar", tops[1]["id"])
    seen, cursor = [], None
    while True:
        params = {"limit": 2} | ({"cursor": cursor} if cursor else {})
        page = (await client.get(f"/api/v1/ideas/{idea['id']}/comments", params=params)).json()
        seen += [(c["id"], len(c["replies"])) for c in page["items"]]
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert seen == [(t["id"], 1 if t is tops[1] else 0) for t in tops]
    bad = await client.get(f"/api/v1/ideas/{idea['id']}/comments", params={"cursor": "nonsense"})
    assert bad.status_code == 400 and bad.json()["extra"][0]["key"] == "cursor"


async def test_comments_are_closed_on_withdrawn_ideas_and_follow_the_audience(client, db):
    staff_only = await make_purpose(db, audience="staff")
    _, staff = await make_user(db, role="staff")
    _, resident = await make_user(db)
    idea = await post_idea(client, staff, staff_only.slug)
    refused = await client.post(f"/api/v1/ideas/{idea['id']}/comments", headers=bearer(resident),
                                json={"body": "må jeg?"})
    assert refused.status_code == 403
    await client.post(f"/api/v1/ideas/{idea['id']}/withdraw", headers=bearer(staff))
    closed = await client.post(f"/api/v1/ideas/{idea['id']}/comments", headers=bearer(staff),
                               json={"body": "for sent"})
    assert closed.status_code == 409
    assert (await client.get("/api/v1/ideas/55555/comments")).status_code == 404
