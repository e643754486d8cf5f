"""Replies and comments on one's idea are told in the app and by mail (through a real
SMTP server), once per person, never to the writer, never for hidden words; every
notification mail carries a one-click unsubscribe link (RFC 8058) that works without
signing in, and only for the person and kind it was made for."""

from __future__ import annotations

from collections.abc import Iterator
from urllib.parse import urlsplit

import pytest

from ideabox.notifications.conversation import mail_conversation
from ideabox.notifications.unsubscribe import make_token
from ideabox.platform.settings import Settings
from tests.factories import bearer, make_purpose, make_user, post_idea
from tests.mailbox import Inbox, smtp_server, text_of, with_smtp
from tests.promotion.scene import Scene, cph
from tests.web.forms import another_browser

BASE = "https://ideer.kommune.dk"


@pytest.fixture
def inbox() -> Iterator[tuple[Inbox, int]]:
    yield from smtp_server()


@pytest.fixture
def settings(settings: Settings, inbox: tuple[Inbox, int]) -> Settings:
    return with_smtp(settings, inbox[1], BASE)


async def _comment(client, token: str, idea_id: int, body: str,
                   parent_id: int | None = None) -> int:
    data: dict[str, object] = {"body": body}
    if parent_id is not None:
        data["parent_id"] = parent_id
    response = await client.post(f"/api/v1/ideas/{idea_id}/comments", headers=bearer(token),
                                 json=data)
    assert response.status_code == 201, response.text
    comment_id: int = response.json()["id"]
    return comment_id


async def _notes(client, token: str) -> list[dict]:
    response = await client.get("/api/v1/me/notifications", headers=bearer(token))
    assert response.status_code == 200, response.text
    items: list[dict] = response.json()["items"]
    return items


async def _scene(client, db):
    purpose = await make_purpose(db, slug="havn")
    anna = await make_user(db, email="anna@example.dk", display_name="Anna Jensen")
    bo = await make_user(db, email="bo@example.dk", display_name="Bo Hansen")
    carl = await make_user(db, email="carl@example.dk", display_name="Carl Berg")
    idea = await post_idea(client, anna[1], purpose.slug, title="Bænke langs havnen")
    return anna, bo, carl, idea["id"]


async def test_a_comment_tells_the_ideas_author_and_a_reply_the_comments_once(client, db,
                                                                              app, inbox):
    box, _ = inbox
    anna, bo, carl, idea = await _scene(client, db)

    # Bo comments on Anna's idea: Anna is told, Bo is not.
    bos = await _comment(client, bo[1], idea, "Gerne med ryglæn.")
    # Anna replies to Bo on her own idea: Bo is told of the reply, Anna of nothing.
    await _comment(client, anna[1], idea, "God idé!", parent_id=bos)
    # Carl replies to Bo: Bo once (as the reply), Anna once (a comment on her idea).
    await _comment(client, carl[1], idea, "Og et skraldespand ved hver.", parent_id=bos)
    # Carl replies to Anna's comment on her idea: Anna is both, and told once, of the reply.
    annas = (await client.get(f"/api/v1/ideas/{idea}/comments")).json()["items"][0][
        "replies"][0]["id"]
    await _comment(client, carl[1], idea, "Enig.", parent_id=annas)
    await app.state.services.background.drain()

    anna_notes = await _notes(client, anna[1])
    assert [(n["kind"], n["by_name"]) for n in anna_notes] == [
        ("reply", "Carl Berg"), ("comment", "Carl Berg"), ("comment", "Bo Hansen")]
    assert all(n["idea_id"] == idea and n["comment_id"] for n in anna_notes)
    assert [(n["kind"], n["by_name"]) for n in await _notes(client, bo[1])] == [
        ("reply", "Carl Berg"), ("reply", "Anna Jensen")]
    assert await _notes(client, carl[1]) == []

    assert sorted(m["To"] for m in box.messages) == sorted(
        ["anna@example.dk"] * 3 + ["bo@example.dk"] * 2)
    # Each comment's mail goes in a task of its own: they may arrive in any order.
    subjects = sorted(m["Subject"] for m in box.to("bo@example.dk"))
    assert subjects == ["Anna Jensen har svaret på din kommentar til “Bænke langs havnen”",
                        "Carl Berg har svaret på din kommentar til “Bænke langs havnen”"]
    reply = next(m for m in box.to("bo@example.dk") if m["Subject"].startswith("Anna"))
    assert "> God idé!" in text_of(reply)
    assert f"{BASE}/ideas/{idea}#comments" in text_of(reply)


async def test_in_app_and_mail_follow_each_persons_choice_per_kind(client, db, app, inbox):
    box, _ = inbox
    anna, bo, carl, idea = await _scene(client, db)
    url = "/api/v1/me/notification-preferences"
    # Anna wants comments on her ideas neither in the app nor by mail, replies by mail only.
    answer = await client.put(url, headers=bearer(anna[1]), json={
        "comments": {"in_app": False, "email": False}, "replies": {"in_app": False}})
    assert answer.status_code == 200, answer.text
    bos = await _comment(client, bo[1], idea, "Gerne med ryglæn.")
    annas = await _comment(client, anna[1], idea, "Tak!", parent_id=bos)
    await _comment(client, carl[1], idea, "Enig med Anna.", parent_id=annas)
    await app.state.services.background.drain()

    assert await _notes(client, anna[1]) == []
    assert [m["Subject"] for m in box.to("anna@example.dk")] == [
        "Carl Berg har svaret på din kommentar til “Bænke langs havnen”"]
    # Turned on again in the app, what came meanwhile is shown.
    await client.put(url, headers=bearer(anna[1]), json={"comments": {"in_app": True,
                                                                     "email": False}})
    assert [n["kind"] for n in await _notes(client, anna[1])] == ["comment"]


async def test_hidden_words_tell_nobody(client, db, app, inbox):
    box, _ = inbox
    anna, bo, _, idea = await _scene(client, db)
    bos = await _comment(client, bo[1], idea, "Noget grimt.")
    await app.state.services.background.drain()
    box.messages.clear()
    ids = [r["id"] for r in await db.fetch("SELECT id FROM notifications WHERE comment_id = $1",
                                           bos)]
    assert len(ids) == 1
    # A moderator hides it: the notification goes from the list, and no mail is sent.
    await db.execute("UPDATE comments SET hidden_at = now() WHERE id = $1", bos)
    assert await _notes(client, anna[1]) == []
    services = app.state.services
    assert await mail_conversation(services.pool, services.settings, ids) == 0
    assert box.messages == []


async def test_the_unsubscribe_link_of_a_mail_turns_that_kind_off_with_one_click(client, db,
                                                                                 app, inbox):
    box, _ = inbox
    anna, bo, _, idea = await _scene(client, db)
    await _comment(client, bo[1], idea, "Gerne med ryglæn.")
    await app.state.services.background.drain()
    mail = box.to("anna@example.dk")[0]
    assert mail["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    link = mail["List-Unsubscribe"].strip("<>")
    assert link.startswith(f"{BASE}/unsubscribe/")
    assert link in text_of(mail)
    path = urlsplit(link).path

    # A stranger's browser (no session, no CSRF cookie), as a mail scanner or program.
    async with another_browser(client) as stranger:
        looked = await stranger.get(path)
        assert looked.status_code == 200
        assert "Stop" in looked.text and "method=\"post\"" in looked.text
        prefs = await client.get("/api/v1/me/notification-preferences",
                                 headers=bearer(anna[1]))
        assert prefs.json()["comments"] == {"in_app": True, "email": True}  # GET: no change

        done = await stranger.post(path, data={"List-Unsubscribe": "One-Click"})
        assert done.status_code == 200, done.text
        again = await stranger.post(path, data={"List-Unsubscribe": "One-Click"})
        assert again.status_code == 200
    prefs = (await client.get("/api/v1/me/notification-preferences",
                              headers=bearer(anna[1]))).json()
    assert prefs["comments"] == {"in_app": True, "email": False}
    assert prefs["replies"] == {"in_app": True, "email": True}

    box.messages.clear()
    await _comment(client, bo[1], idea, "Og en til.")
    await app.state.services.background.drain()
    assert box.to("anna@example.dk") == []
    assert len(await _notes(client, anna[1])) == 2  # still told in the app


async def test_a_forged_or_tampered_token_changes_nothing(client, db, app):
    anna, bo, _, _ = await _scene(client, db)
    good = make_token(app.state.settings.secret_key, anna[0].id, "comments")
    user, topic, signature = good.split(".")
    forged = [
        f"{bo[0].id}.{topic}.{signature}",           # someone else's person
        f"{user}.replies.{signature}",               # another kind
        f"{user}.{topic}.{signature[:-2]}AA",        # a changed signature
        make_token("another key", anna[0].id, "comments"),
        "nonsense",
    ]
    for token in forged:
        shown = await client.get(f"/unsubscribe/{token}")
        assert shown.status_code == 400, token
        posted = await client.post(f"/unsubscribe/{token}",
                                   data={"List-Unsubscribe": "One-Click"})
        assert posted.status_code == 400, token
    # A real token without the one-click body is refused too.
    assert (await client.post(f"/unsubscribe/{good}", data={})).status_code == 400
    assert await db.fetchval("SELECT count(*) FROM notification_preferences") == 0



async def test_status_and_decision_mails_carry_their_own_unsubscribe_link(client, db, app,
                                                                         inbox):
    box, _ = inbox
    scene = await Scene(client, db).build(promote_top_n=1, voters=1)
    idea = await scene.idea("Grønne tage", cph(2026, 10, 2))
    await scene.votes(idea, range(1), cph(2026, 10, 3))
    assert (await scene.promote("2026-10")).status_code == 200
    await app.state.services.background.drain()
    voter, token = scene.voters[0]
    address = await db.fetchval("SELECT email FROM users WHERE id = $1", voter.id)
    mail = box.to(address)[0]
    assert mail["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    path = urlsplit(mail["List-Unsubscribe"].strip("<>")).path
    assert path.startswith(f"/unsubscribe/{voter.id}.status.")
    assert (await client.post(path, data={"List-Unsubscribe": "One-Click"})).status_code == 200

    # The answer is told in the app, and no longer mailed to the voter.
    box.messages.clear()
    assert (await scene.respond(idea, "under_review", "Vi ser på det.")).status_code == 201
    await app.state.services.background.drain()
    assert box.to(address) == []
    assert box.to(await db.fetchval("SELECT email FROM users WHERE id = $1", scene.author.id))
    assert [n["kind"] for n in await _notes(client, token)] == ["answered", "promoted"]
