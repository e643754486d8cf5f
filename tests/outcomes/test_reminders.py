"""Reminders of the answer deadline: every administrator is told in the app and by mail
a week before a promoted idea's answer is due and when it is due, once each, however
often and however many times at once the loop runs; answered ideas are not reminded of."""

from __future__ import annotations

import asyncio
from datetime import timedelta

from ideabox.http.app import background_tasks
from ideabox.outcomes.reminders import remind_forever, send_reminders
from tests.conftest import NOW
from tests.factories import bearer, make_user
from tests.mailbox import outbox, text_of
from tests.promotion.scene import Scene, cph


async def _admins(db) -> dict[int, str]:
    rows = await db.fetch("SELECT id, email FROM users WHERE role = 'admin' "
                          "AND deleted_at IS NULL")
    return {row["id"]: row["email"] for row in rows}


async def _notes(client, token: str) -> list[dict]:
    response = await client.get("/api/v1/me/notifications", headers=bearer(token))
    assert response.status_code == 200, response.text
    items: list[dict] = response.json()["items"]
    return items


async def _promoted(scene: Scene, titles: list[str]) -> list[int]:
    ideas = [await scene.idea(title, cph(2026, 10, 2 + n)) for n, title in enumerate(titles)]
    for n, idea in enumerate(ideas):
        await scene.votes(idea, range(len(ideas) - n), cph(2026, 10, 20))
    assert (await scene.promote("2026-10")).status_code == 200
    return ideas


async def test_a_week_before_and_at_the_deadline_once_each(client, db, app):
    services = app.state.services
    scene = await Scene(client, db).build(promote_top_n=2, voters=2)
    waiting, answered = await _promoted(scene, ["Flere bænke langs havnen",
                                                "Vandpost ved legepladsen"])
    assert (await scene.respond(answered, "under_review", "Vi ser på det.")).status_code == 201
    resident, resident_token = scene.voters[0]
    _, english_token = await make_user(db, role="admin", display_name="Admin English")
    await client.put("/api/v1/me/notification-settings", headers=bearer(english_token),
                     json={"language": "en"})
    _, quiet_token = await make_user(db, role="admin", display_name="Admin uden mail")
    await client.put("/api/v1/me/notification-settings", headers=bearer(quiet_token),
                     json={"email": False})
    admins = await _admins(db)
    quiet = await db.fetchval("SELECT email FROM users WHERE display_name = 'Admin uden mail'")
    due = NOW + timedelta(days=30)

    # Before the week before: nothing.
    assert await send_reminders(services, due - timedelta(days=7, seconds=1)) == []
    assert await outbox(app) == []

    # A week before: due_soon for the unanswered idea, to every admin; once.
    sent = await send_reminders(services, due - timedelta(days=7))
    assert [(r.idea_id, r.kind, r.answer_due) for r in sent] == [(waiting, "due_soon", due)]
    assert await send_reminders(services, due - timedelta(days=6)) == []
    mails = await outbox(app)
    assert sorted(m["To"] for m in mails) == sorted(set(admins.values()) - {quiet})
    admin_email = await db.fetchval("SELECT email FROM users WHERE id = $1", scene.admin.id)
    danish = next(m for m in mails if m["To"] == admin_email)
    assert danish["Subject"] == "Svaret skal gives inden for en uge: Flere bænke langs havnen"
    assert "16. december 2026" in text_of(danish)
    assert f"/ideas/{waiting}" in text_of(danish)
    english = next(m for m in mails if m["Subject"].startswith("The answer is due"))
    assert english["Subject"] == "The answer is due in a week: Flere bænke langs havnen"
    assert "December 16, 2026" in text_of(english)

    notes = await _notes(client, scene.admin_token)
    assert [(n["kind"], n["idea_id"], n["to_status"]) for n in notes][:1] == [
        ("due_soon", waiting, "promoted")]
    assert notes[0]["answer_due"] is not None
    assert [n for n in await _notes(client, resident_token)
            if n["kind"] in ("due_soon", "overdue")] == []
    assert resident.id not in admins
    page = await client.get("/me", headers=bearer(scene.admin_token))
    assert "Forvaltningens svar på “Flere bænke langs havnen” skal gives senest" in page.text

    # At the deadline: overdue; once, however many run it at the same moment.
    results = await asyncio.gather(*(send_reminders(services, due) for _ in range(3)))
    assert sorted((r.idea_id, r.kind) for result in results for r in result) == [
        (waiting, "overdue")]
    assert await send_reminders(services, due + timedelta(days=3)) == []
    mails = await outbox(app)
    assert len(mails) == 2 * len(set(admins.values()) - {quiet})
    assert sum(m["Subject"] == "Svarfristen er overskredet: Flere bænke langs havnen"
               for m in mails) == len(set(admins.values()) - {quiet}) - 1
    notes = await _notes(client, scene.admin_token)
    assert [n["kind"] for n in notes][:2] == ["overdue", "due_soon"]
    unread = (await client.get("/api/v1/me/notifications",
                               headers=bearer(scene.admin_token))).json()["unread"]
    assert unread >= 2
    # Nothing about the answered idea, ever.
    assert await db.fetchval("SELECT count(*) FROM answer_reminders WHERE idea_id = $1",
                             answered) == 0


async def test_a_deadline_under_a_week_gets_only_the_deadline_reminder(client, db, app):
    services = app.state.services
    scene = await Scene(client, db).build(promote_top_n=1, voters=1, answer_within_days=3)
    [idea] = await _promoted(scene, ["Skiltning ved stranden"])
    due = NOW + timedelta(days=3)
    assert await send_reminders(services, NOW + timedelta(seconds=1)) == []
    assert await send_reminders(services, due - timedelta(seconds=1)) == []
    assert [(r.idea_id, r.kind) for r in await send_reminders(services, due)] == [
        (idea, "overdue")]
    assert await db.fetchval("SELECT array_agg(kind) FROM answer_reminders") == ["overdue"]


async def test_a_reminder_missed_while_nothing_ran_is_sent_but_not_a_stale_one(client, db, app):
    services = app.state.services
    scene = await Scene(client, db).build(promote_top_n=1, voters=1)
    [idea] = await _promoted(scene, ["Lys på gangbroen"])
    # Nothing ran during the week before: only the deadline's reminder goes out.
    sent = await send_reminders(services, NOW + timedelta(days=40))
    assert [(r.idea_id, r.kind) for r in sent] == [(idea, "overdue")]
    assert await send_reminders(services, NOW + timedelta(days=41)) == []


async def test_the_loop_runs_beside_the_promotion(client, db, app, clock):
    assert remind_forever in background_tasks()
    scene = await Scene(client, db).build(promote_top_n=1, voters=1, answer_within_days=0)
    [idea] = await _promoted(scene, ["Badetrappe ved kajen"])
    clock.advance(timedelta(minutes=1))
    task = asyncio.get_running_loop().create_task(remind_forever(app.state.services))
    try:
        for _ in range(500):
            if await db.fetchval("SELECT count(*) FROM answer_reminders WHERE idea_id = $1",
                                 idea):
                break
            await asyncio.sleep(0.01)
    finally:
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)
    assert await db.fetchval("SELECT kind FROM answer_reminders WHERE idea_id = $1",
                             idea) == "overdue"
