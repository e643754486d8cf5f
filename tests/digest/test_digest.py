"""The weekly digest: due on Monday at 08:00 Copenhagen time, telling of the week before;
mailed once per person and week however many instances run it at once and however
often; only with news, only to those who want it, in their language."""

from __future__ import annotations

import asyncio
from datetime import datetime, timedelta
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

from ideabox.digest.service import digest_forever, due_week, send_digests
from ideabox.http.app import background_tasks
from tests.conftest import NOW
from tests.factories import bearer, make_user, post_idea
from tests.mailbox import outbox, text_of
from tests.promotion.scene import Scene, cph
from tests.web.forms import sign_in, submit

CPH = ZoneInfo("Europe/Copenhagen")
NEXT_MONDAY = NOW + timedelta(days=7)  # NOW is a Monday at 10:00 in Copenhagen


def test_a_weeks_digest_is_due_from_its_monday_at_eight_copenhagen_time() -> None:
    assert NOW.isoweekday() == 1
    assert due_week(datetime(2026, 11, 23, 7, 59, tzinfo=CPH)) is None
    week = due_week(datetime(2026, 11, 23, 8, 0, tzinfo=CPH))
    assert week is not None and week.label == "2026-W48"
    assert (week.start, week.end) == (datetime(2026, 11, 16, 8, tzinfo=CPH),
                                      datetime(2026, 11, 23, 8, tzinfo=CPH))
    sunday = due_week(datetime(2026, 11, 29, 23, 59, tzinfo=CPH))
    assert sunday is not None and sunday.label == "2026-W48"
    # Across the end of summer time the window is still Monday 08:00 to Monday 08:00.
    autumn = due_week(datetime(2026, 10, 26, 9, 0, tzinfo=ZoneInfo("UTC")))
    assert autumn is not None and autumn.label == "2026-W44"
    assert autumn.start == datetime(2026, 10, 19, 8, tzinfo=CPH)
    assert autumn.end.astimezone(ZoneInfo("UTC")) - autumn.start == timedelta(days=7, hours=1)
    assert digest_forever in background_tasks()


async def _week_of_news(client, db) -> tuple[Scene, dict[str, tuple[int, str, str]]]:
    """Anna's idea is promoted and answered and her new idea gets a vote; voter 1 follows
    the purpose, in which voter 2 posts an idea; all in the week from NOW."""
    scene = await Scene(client, db).build(promote_top_n=1, voters=4)
    green = await scene.idea("Grønne tage", cph(2026, 10, 2))
    await scene.votes(green, range(4), cph(2026, 10, 3))
    assert (await scene.promote("2026-10")).status_code == 200
    assert (await scene.respond(green, "under_review", "Vi ser på det.")).status_code == 201
    benches = await post_idea(client, scene.author_token, scene.slug, title="Flere bænke")
    await client.put(f"/api/v1/ideas/{benches['id']}/vote", headers=bearer(scene.voters[2][1]))
    follow = await client.put(f"/api/v1/purposes/{scene.slug}/follow",
                              headers=bearer(scene.voters[1][1]))
    assert follow.status_code == 200 and follow.json() == {"slug": scene.slug,
                                                           "following": True}
    await post_idea(client, scene.voters[2][1], scene.slug, title="Cykelparkering ved stationen")
    # Voter 1 reads English; voter 3 wants no digest.
    await client.put("/api/v1/me/notification-settings", headers=bearer(scene.voters[1][1]),
                     json={"language": "en"})
    await client.put("/api/v1/me/notification-preferences", headers=bearer(scene.voters[3][1]),
                     json={"digest": {"email": False}})
    people = {}
    for name, (viewer, token) in [("anna", (scene.author, scene.author_token)),
                                  *[(f"voter{n}", v) for n, v in enumerate(scene.voters)]]:
        email = await db.fetchval("SELECT email FROM users WHERE id = $1", viewer.id)
        people[name] = (viewer.id, email, token)
    return scene, people


async def test_a_digest_tells_of_the_week_in_the_persons_language(client, db, app):
    services = app.state.services
    _, people = await _week_of_news(client, db)
    # At NOW the digest due tells of the week before: nothing happened then.
    assert await send_digests(services, NOW) == []
    assert await outbox(app) == []

    mailed = await send_digests(services, NEXT_MONDAY)
    mails = {m["To"]: m for m in await outbox(app)}
    # Voters 0 and 2 voted for the answered idea; voter 1 follows the purpose too; voter
    # 3 turned the digest off; the admin has no news.
    expected = {people[name][1] for name in ("anna", "voter0", "voter1", "voter2")}
    assert set(mails) == expected
    assert sorted(mailed) == sorted(people[name][0] for name in
                                    ("anna", "voter0", "voter1", "voter2"))

    anna = mails[people["anna"][1]]
    assert anna["Subject"] == "Din uge i idéboksen frem til 23. november 2026"
    text = text_of(anna)
    assert "Dine idéer har fået ny status" in text
    assert "“Grønne tage”: Sendt videre til forvaltningen" in text
    assert "“Grønne tage”: Under behandling" in text
    assert "Stemmer på dine idéer i denne uge\n- “Flere bænke”: 1" in text
    assert "Cykelparkering" not in text  # Anna follows no purpose

    english = text_of(mails[people["voter1"][1]])
    assert mails[people["voter1"][1]]["Subject"] == (
        "Your week on the idea box, up to November 23, 2026")
    assert "Answers to ideas you voted for\n- “Grønne tage”: Under review" in english
    assert "New ideas in the purposes you follow\n- “Flere bænke” (" in english
    assert "- “Cykelparkering ved stationen” (" in english
    # Voter 2 wrote the new idea: not told of their own.
    assert "Cykelparkering" not in text_of(mails[people["voter2"][1]])

    # Once a week: the next round, and the next day, send nothing more.
    assert await send_digests(services, NEXT_MONDAY + timedelta(hours=1)) == []
    assert await send_digests(services, NEXT_MONDAY + timedelta(days=1)) == []
    assert len(await outbox(app)) == 4
    assert await db.fetchval("SELECT count(*) FROM weekly_digests WHERE week = '2026-W48' "
                             "AND items > 0") == 4


async def test_a_digest_goes_once_with_several_instances_at_once(client, db, app, services):
    await _week_of_news(client, db)
    rounds = await asyncio.gather(*[send_digests(s, NEXT_MONDAY) for s in
                                    (app.state.services, services) * 3])
    await services.background.drain()
    mailed = [person for found in rounds for person in found]
    assert len(mailed) == len(set(mailed)) == 4
    assert len(await outbox(app)) == 4


async def test_the_digests_unsubscribe_link_stops_it(client, db, app):
    _, people = await _week_of_news(client, db)
    await send_digests(app.state.services, NEXT_MONDAY)
    anna_id, anna_email, anna_token = people["anna"]
    mail = next(m for m in await outbox(app) if m["To"] == anna_email)
    assert mail["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    path = urlsplit(mail["List-Unsubscribe"].strip("<>")).path
    assert path.startswith(f"/unsubscribe/{anna_id}.digest.")
    assert (await client.post(path, data={"List-Unsubscribe": "One-Click"})).status_code == 200
    prefs = await client.get("/api/v1/me/notification-preferences", headers=bearer(anna_token))
    assert prefs.json()["digest"] == {"in_app": False, "email": False}


async def test_following_a_purpose_from_its_page_and_the_api(client, db):
    scene = await Scene(client, db).build(voters=0)
    _, token = await make_user(db, email="ida@example.dk")
    url = f"/api/v1/purposes/{scene.slug}/follow"
    assert (await client.get(url, headers=bearer(token))).json()["following"] is False
    assert (await client.put(url, headers=bearer(token))).json()["following"] is True
    assert (await client.put(url, headers=bearer(token))).status_code == 200  # idempotent
    assert (await client.get(url, headers=bearer(token))).json()["following"] is True
    assert (await client.delete(url, headers=bearer(token))).json()["following"] is False
    missing = await client.put("/api/v1/purposes/findes-ikke/follow", headers=bearer(token))
    assert missing.status_code == 404
    assert (await client.put(url)).status_code == 401

    await sign_in(client, "ida@example.dk")
    page = await client.get(f"/purposes/{scene.slug}")
    assert 'action="/purposes/' in page.text and 'aria-pressed="false"' in page.text
    assert "Følg formålet" in page.text
    done = await submit(client, f"/purposes/{scene.slug}/follow", {"action": "follow"})
    assert done.status_code == 303
    page = await client.get(f"/purposes/{scene.slug}")
    assert "Du følger dette formål" in page.text
    assert (await client.get(url, headers=bearer(token))).json()["following"] is True
    await submit(client, f"/purposes/{scene.slug}/follow", {"action": "unfollow"})
    assert (await client.get(url, headers=bearer(token))).json()["following"] is False
