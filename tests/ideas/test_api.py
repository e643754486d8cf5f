"""Ideas through the JSON API: posting, editing, withdrawing, reading, listing, searching."""

from __future__ import annotations

import pytest

from tests.factories import bearer, make_purpose, make_user, post_idea


async def test_posting_an_idea_answers_the_documented_shape(client, db):
    purpose = await make_purpose(db)
    author, token = await make_user(db, display_name="Karen Jensen")
    response = await client.post(f"/api/v1/purposes/{purpose.slug}/ideas", headers=bearer(token),
                                 json={"title": "  Flere cykelstier  ", "body": "Langs **havnen**"})
    assert response.status_code == 201, response.text
    idea = response.json()
    assert set(idea) >= {"id", "purpose", "title", "body", "body_html", "author", "status",
                         "votes", "votes_this_month", "comment_count", "created_at",
                         "voted_by_me"}
    assert idea["title"] == "Flere cykelstier"
    assert idea["purpose"] == purpose.slug
    assert idea["body_html"] == "<p>Langs <strong>havnen</strong></p>\n"
    assert idea["author"] == {"id": author.id, "display_name": "Karen Jensen", "role": "resident"}
    assert (idea["status"], idea["votes"], idea["votes_this_month"], idea["comment_count"]) == \
        ("open", 0, 0, 0)
    assert idea["voted_by_me"] is False
    fetched = await client.get(f"/api/v1/ideas/{idea['id']}")
    assert fetched.status_code == 200
    assert fetched.json()["title"] == "Flere cykelstier"
    history = await db.fetch("SELECT from_status, to_status, trigger FROM idea_status_changes "
                             "WHERE idea_id = $1", idea["id"])
    assert [tuple(r) for r in history] == [(None, "open", "posted")]


@pytest.mark.parametrize(("body", "field"), [
    ({"title": "kort", "body": "x"}, "title"),
    ({"title": "x" * 141, "body": "x"}, "title"),
    ({"title": "     ", "body": "x"}, "title"),
    ({"title": "En god idé", "body": ""}, "body"),
    ({"title": "En god idé", "body": "x" * 10_001}, "body"),
    ({"title": "En god idé", "body": "   "}, "body"),
    ({"title": 5, "body": "x"}, "title"),
])
async def test_length_limits_name_the_field(client, db, body, field):
    purpose = await make_purpose(db)
    _, token = await make_user(db)
    response = await client.post(f"/api/v1/purposes/{purpose.slug}/ideas", headers=bearer(token),
                                 json=body)
    assert response.status_code == 400, response.text
    assert response.json()["extra"][0]["key"] == field


async def test_audience_decides_who_may_post(client, db):
    staff_only = await make_purpose(db, audience="staff")
    residents_only = await make_purpose(db, audience="residents")
    _, resident = await make_user(db)
    _, staff = await make_user(db, role="staff")
    refused = await client.post(f"/api/v1/purposes/{staff_only.slug}/ideas",
                                headers=bearer(resident), json={"title": "Væk med x", "body": "y"})
    assert refused.status_code == 403
    await post_idea(client, staff, staff_only.slug)
    refused = await client.post(f"/api/v1/purposes/{residents_only.slug}/ideas",
                                headers=bearer(staff), json={"title": "Væk med x", "body": "y"})
    assert refused.status_code == 403
    # Everyone may read.
    listing = await client.get(f"/api/v1/purposes/{staff_only.slug}/ideas")
    assert listing.status_code == 200 and len(listing.json()["items"]) == 1


async def test_unknown_things_are_404(client, db):
    _, token = await make_user(db)
    assert (await client.get("/api/v1/ideas/999999")).status_code == 404
    assert (await client.get("/api/v1/purposes/nope/ideas")).status_code == 404
    response = await client.post("/api/v1/purposes/nope/ideas", headers=bearer(token),
                                 json={"title": "En god idé", "body": "x"})
    assert response.status_code == 404


async def test_the_author_edits_while_open_and_an_admin_always(client, db):
    purpose = await make_purpose(db)
    _, author = await make_user(db)
    _, other = await make_user(db)
    _, admin = await make_user(db, role="admin")
    idea = await post_idea(client, author, purpose.slug)
    url = f"/api/v1/ideas/{idea['id']}"
    edited = await client.patch(url, headers=bearer(author), json={"body": "_Bedre_"})
    assert edited.status_code == 200
    assert edited.json()["body_html"] == "<p><em>Bedre</em></p>\n"
    assert (await client.patch(url, headers=bearer(other), json={"body": "x"})).status_code == 403
    await db.execute("UPDATE ideas SET status = 'promoted' WHERE id = $1", idea["id"])
    assert (await client.patch(url, headers=bearer(author), json={"body": "x"})).status_code == 409
    by_admin = await client.patch(url, headers=bearer(admin), json={"title": "Rettet titel"})
    assert by_admin.status_code == 200 and by_admin.json()["title"] == "Rettet titel"


async def test_withdrawing(client, db):
    purpose = await make_purpose(db)
    _, author = await make_user(db)
    _, other = await make_user(db)
    idea = await post_idea(client, author, purpose.slug)
    url = f"/api/v1/ideas/{idea['id']}/withdraw"
    assert (await client.post(url, headers=bearer(other))).status_code == 403
    withdrawn = await client.post(url, headers=bearer(author))
    assert withdrawn.status_code == 200 and withdrawn.json()["status"] == "withdrawn"
    again = await client.post(url, headers=bearer(author))
    assert again.status_code == 200 and again.json()["status"] == "withdrawn"
    listing = await client.get(f"/api/v1/purposes/{purpose.slug}/ideas")
    assert listing.json()["items"] == []


async def test_markdown_is_sanitised(client, db):
    purpose = await make_purpose(db)
    _, token = await make_user(db)
    attack = ('<script>alert(1)</script> [klik](javascript:alert(2)) '
              '<img src=x onerror=alert(3)> [ok](https://kk.dk) ![x](https://evil/p.gif)')
    idea = await post_idea(client, token, purpose.slug, body=attack)
    html = idea["body_html"]
    assert "<script" not in html and "javascript:" not in html.replace("(javascript:", "")
    assert "onerror" not in html.replace("onerror=alert(3)&gt;", "")
    assert "<img" not in html
    assert '<a href="https://kk.dk" rel="nofollow ugc noopener noreferrer">ok</a>' in html
    assert idea["body"] == attack  # the raw text is kept as written


async def test_hidden_ideas_are_seen_only_by_author_and_moderators(client, db):
    purpose = await make_purpose(db)
    _, author = await make_user(db)
    _, moderator = await make_user(db, role="moderator")
    idea = await post_idea(client, author, purpose.slug)
    await db.execute("UPDATE ideas SET status = 'hidden' WHERE id = $1", idea["id"])
    url = f"/api/v1/ideas/{idea['id']}"
    assert (await client.get(url)).status_code == 404
    assert (await client.get(url, headers=bearer(author))).status_code == 200
    assert (await client.get(url, headers=bearer(moderator))).status_code == 200
