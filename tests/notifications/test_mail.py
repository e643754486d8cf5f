"""Notification e-mails reach a real (local) SMTP server after the commit, in the
background, in the person's language."""

from __future__ import annotations

import dataclasses
import logging
from collections.abc import Iterator

import msgspec
import pytest

from ideabox.notifications.mail import Mailer, send_notification_emails
from ideabox.platform.db import Db
from ideabox.platform.settings import Settings
from tests.factories import (
    backdate_idea,
    bearer,
    make_assisted_person,
    make_user,
    post_idea,
)
from tests.mailbox import Inbox, free_port, smtp_server, text_of, with_smtp
from tests.promotion.scene import Scene, cph


@pytest.fixture
def inbox() -> Iterator[tuple[Inbox, int]]:
    yield from smtp_server()


@pytest.fixture
def settings(settings: Settings, inbox: tuple[Inbox, int]) -> Settings:
    return with_smtp(settings, inbox[1], "https://ideer.kommune.dk")


async def _background_done(app) -> None:
    await app.state.services.background.drain()


async def _emails(db, user_id: int) -> str:
    address: str = await db.fetchval("SELECT email FROM users WHERE id = $1", user_id)
    return address


async def test_a_promotion_and_a_response_are_mailed_in_each_persons_language(client, db, app,
                                                                               inbox):
    box, _ = inbox
    scene = await Scene(client, db).build(promote_top_n=1, voters=3)
    idea = await scene.idea("Grønne tage på kommunens bygninger", cph(2026, 9, 2))
    await scene.votes(idea, range(3), cph(2026, 9, 3))
    english, no_mail = scene.voters[1], scene.voters[2]
    settings_url = "/api/v1/me/notification-settings"
    await client.put(settings_url, headers=bearer(english[1]), json={"language": "en"})
    await client.put(settings_url, headers=bearer(no_mail[1]), json={"email": False})

    assert (await scene.promote("2026-09")).status_code == 200
    await _background_done(app)
    author, danish_voter = (await _emails(db, scene.author.id),
                            await _emails(db, scene.voters[0][0].id))
    english_address, silent = await _emails(db, english[0].id), await _emails(db, no_mail[0].id)
    assert sorted(m["To"] for m in box.messages) == sorted([author, danish_voter,
                                                           english_address])
    assert box.to(silent) == []
    danish = box.to(author)[0]
    assert danish["Subject"] == ("Sendt videre til forvaltningen: "
                                 "Grønne tage på kommunens bygninger")
    assert danish["From"] == "ideabox <ideer@kommune.dk>"
    text = text_of(danish)
    assert text.startswith("Hej Anna Jensen\n")
    assert f"Se idéen: https://ideer.kommune.dk/ideas/{idea}" in text
    assert box.to(english_address)[0]["Subject"] == (
        "Sent to the administration: Grønne tage på kommunens bygninger")

    box.messages.clear()
    answered = await scene.respond(idea, "accepted", "Vi går i gang til foråret.")
    assert answered.status_code == 201
    await _background_done(app)
    assert len(box.messages) == 3
    reply = box.to(author)[0]
    assert reply["Subject"] == "Forvaltningens svar: Grønne tage på kommunens bygninger"
    assert "Status: Vedtaget\n\nVi går i gang til foråret." in text_of(reply)
    in_english = text_of(box.to(english_address)[0])
    assert "Status: Accepted\n\nVi går i gang til foråret." in in_english


async def test_nothing_is_mailed_for_a_change_that_was_rolled_back(client, db, app, inbox):
    box, _ = inbox
    scene = await Scene(client, db).build(promote_top_n=1, voters=1)
    idea = await scene.idea("Rullet tilbage før afsendelse", cph(2026, 9, 2))
    await scene.votes(idea, range(1), cph(2026, 9, 3))
    assert (await scene.promote("2026-09")).status_code == 200
    await _background_done(app)
    change_ids = [await db.fetchval("SELECT max(id) FROM idea_status_changes")]
    box.messages.clear()
    async with app.state.services.pool.acquire() as conn:
        tx = Db(conn, app.state.services.clock.now())
        await tx.begin()
        app.state.services.mailer.after_commit(tx, change_ids)
        await tx.rollback()
    await _background_done(app)
    assert box.messages == []
    # The same ids after a commit do go out: the test above is not vacuous.
    async with app.state.services.pool.acquire() as conn:
        tx = Db(conn, app.state.services.clock.now())
        await tx.begin()
        app.state.services.mailer.after_commit(tx, change_ids)
        await tx.commit()
    await _background_done(app)
    assert len(box.messages) == 2


async def test_an_unreachable_smtp_server_fails_neither_the_request_nor_the_task(
        client, db, app, inbox, caplog):
    scene = await Scene(client, db).build(promote_top_n=1, voters=1)
    idea = await scene.idea("Post uden postkontor", cph(2026, 9, 2))
    await scene.votes(idea, range(1), cph(2026, 9, 3))
    closed = msgspec.structs.replace(app.state.settings, smtp_port=free_port())
    services = app.state.services
    app.state.services = dataclasses.replace(
        services, mailer=Mailer(closed, services.pool, services.background))
    with caplog.at_level(logging.WARNING, logger="ideabox.notifications.mail"):
        response = await scene.promote("2026-09")
        assert response.status_code == 200
        await _background_done(app)
    assert "notification e-mails stopped after 0:" in caplog.text
    change_id = await db.fetchval("SELECT max(id) FROM idea_status_changes")
    assert await send_notification_emails(app.state.services.pool, closed, [change_id]) == 0


async def test_many_recipients_are_mailed_a_batch_at_a_time(client, db, app, inbox, monkeypatch):
    box, _ = inbox
    monkeypatch.setattr("ideabox.notifications.mail.BATCH", 2)
    scene = await Scene(client, db).build(promote_top_n=1, voters=4)
    idea = await scene.idea("Mange modtagere i små portioner", cph(2026, 9, 2))
    await scene.votes(idea, range(4), cph(2026, 9, 3))
    assert (await scene.promote("2026-09")).status_code == 200
    await _background_done(app)
    expected = [await _emails(db, viewer.id) for viewer in [scene.author,
                                                           *(v for v, _ in scene.voters)]]
    assert sorted(m["To"] for m in box.messages) == sorted(expected)


async def test_a_message_that_cannot_be_made_or_sent_does_not_stop_the_others(
        client, db, app, inbox, caplog, monkeypatch):
    box, _ = inbox
    monkeypatch.setattr("ideabox.notifications.mail.BATCH", 3)
    scene = await Scene(client, db).build(promote_top_n=2, voters=3)
    broken = await scene.idea("En titel fra før reglen", cph(2026, 9, 2))
    fine = await scene.idea("Grønne tage på kommunens bygninger", cph(2026, 9, 3))
    await scene.votes(broken, range(3), cph(2026, 9, 4))
    await scene.votes(fine, range(2), cph(2026, 9, 4))
    # A title written before line breaks were refused: EmailMessage will not put it in
    # a Subject. Its author, voters and followers lose that one e-mail; nothing more.
    await db.execute("UPDATE ideas SET title = $2 WHERE id = $1", broken,
                     "Første linje\nBcc: alle@example.dk")
    with caplog.at_level(logging.WARNING, logger="ideabox.notifications.mail"):
        assert (await scene.promote("2026-09")).status_code == 200
        await _background_done(app)
    expected = [await _emails(db, viewer.id)
                for viewer in (scene.author, scene.voters[0][0], scene.voters[1][0])]
    assert sorted(m["To"] for m in box.messages) == sorted(expected)
    assert {m["Subject"] for m in box.messages} == {
        "Sendt videre til forvaltningen: Grønne tage på kommunens bygninger"}
    assert caplog.text.count("could not be made") == 4  # the author's and three voters'


async def test_people_without_an_address_are_notified_on_the_site_only(client, db, app, inbox,
                                                                       caplog):
    box, _ = inbox
    scene = await Scene(client, db).build(promote_top_n=1, voters=2)
    staff, staff_token = await make_user(db, role="staff")
    person = await make_assisted_person(db, staff)
    idea = (await post_idea(client, staff_token, scene.slug, on_behalf_of=person.id))["id"]
    await backdate_idea(db, idea, cph(2026, 9, 2))
    await scene.votes(idea, range(2), cph(2026, 9, 3))
    with caplog.at_level(logging.WARNING):
        assert (await scene.promote("2026-09")).status_code == 200
        await _background_done(app)
    voters = [await _emails(db, viewer.id) for viewer, _ in scene.voters]
    assert sorted(m["To"] for m in box.messages) == sorted(voters)
    assert [r for r in caplog.records if r.levelno >= logging.WARNING] == []
    assert await db.fetchval("SELECT count(*) FROM notifications WHERE user_id = $1",
                             person.id) == 1
