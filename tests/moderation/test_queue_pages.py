"""Reports, the second look and the moderators' queue in the browser, as plain forms
without JavaScript, in Danish and English; review before publishing on the idea's page."""

from __future__ import annotations

import httpx
import pytest

from tests.factories import make_purpose, make_user
from tests.web.forms import another_browser, sign_in, submit


@pytest.fixture
async def idea_url(client: httpx.AsyncClient, db) -> str:
    """An idea by Anna with a comment by her; a reader (Rie) and a moderator (Mads);
    nobody signed in in ``client``."""
    await make_purpose(db, slug="havnen", report_threshold=1)
    await make_user(db, email="anna@example.dk", display_name="Anna Jensen")
    await make_user(db, email="rie@example.dk", display_name="Rie")
    await make_user(db, role="moderator", email="mads@example.dk", display_name="Mads")
    await sign_in(client, "anna@example.dk")
    posted = await submit(client, "/purposes/havnen/ideas",
                          {"title": "Flere bænke ved vandet", "body": "Med udsigt."})
    assert posted.status_code == 303
    url: str = posted.headers["location"]
    commented = await submit(client, f"{url}/comments", {"body": "Ring på 12345678"})
    assert commented.status_code == 303
    client.cookies.clear()
    return url


async def test_a_reader_reports_an_idea_and_sees_reported(client, idea_url) -> None:
    assert "Anmeld" not in (await client.get(idea_url)).text  # signed out: no form
    await sign_in(client, "rie@example.dk")
    page = (await client.get(idea_url)).text
    assert f'action="{idea_url}/report"' in page
    assert "Hvorfor anmelder du den?" in page and "Spam eller reklame" in page
    # No reason chosen: the page again, naming the field.
    missing = await submit(client, f"{idea_url}/report", {"text": "Se her"})
    assert missing.status_code == 400
    assert "report-idea-reason-error" in missing.text and "error-summary" in missing.text
    done = await submit(client, f"{idea_url}/report", {"reason": "spam", "text": "Reklame"})
    assert done.status_code == 303 and done.headers["location"] == f"{idea_url}#report"
    # The threshold is 1: hidden pending review, and the reader can no longer see it.
    assert (await client.get(idea_url)).status_code == 404


async def test_a_reader_reports_a_comment_which_keeps_its_place(client, db, idea_url) -> None:
    comment_id = await db.fetchval("SELECT id FROM comments")
    await sign_in(client, "rie@example.dk")
    page = (await client.get(idea_url)).text
    assert f'action="/comments/{comment_id}/report"' in page
    done = await submit(client, f"/comments/{comment_id}/report", {"reason": "personal_data"})
    assert done.status_code == 303
    page = (await client.get(idea_url)).text
    assert "Kommentaren er skjult, indtil en moderator har set på den." in page
    assert "12345678" not in page and "Skjult kommentar" in page


async def test_the_moderator_decides_in_the_queue_and_the_author_asks_once_more(
        client, idea_url) -> None:
    await sign_in(client, "rie@example.dk")
    await submit(client, f"{idea_url}/report", {"reason": "offensive", "text": "Grimt"})
    client.cookies.clear()
    await sign_in(client, "mads@example.dk")
    queue = await client.get("/admin/moderation/queue")
    assert queue.status_code == 200
    assert "Moderatorernes kø" in queue.text and "Krænkende eller hadefuld" in queue.text
    assert "Grimt" in queue.text and "Flere bænke ved vandet" in queue.text
    case_id = queue.text.split('action="/admin/moderation/queue/')[1].split("/")[0]
    # No reason: the queue again, naming the field.
    blank = await submit(client, f"/admin/moderation/queue/{case_id}/decision",
                         {"decision": "hide"})
    assert blank.status_code == 400 and "error-summary" in blank.text
    hidden = await submit(client, f"/admin/moderation/queue/{case_id}/decision",
                          {"decision": "hide", "reason": "Sproget er for groft."})
    assert hidden.status_code == 303
    assert "Køen er tom." in (await client.get("/admin/moderation/queue")).text
    log = (await client.get("/admin/moderation")).text
    assert "Sproget er for groft." in log
    client.cookies.clear()
    await sign_in(client, "anna@example.dk")
    me = (await client.get("/me")).text
    assert "Sproget er for groft." in me
    page = (await client.get(idea_url)).text
    assert "Bed om at få den set igen" in page
    asked = await submit(client, f"{idea_url}/second-look", {"message": "Jeg har rettet det."})
    assert asked.status_code == 303
    page = (await client.get(idea_url)).text
    assert "Du har bedt om at få den set igen." in page
    client.cookies.clear()
    await sign_in(client, "mads@example.dk")
    queue = (await client.get("/admin/moderation/queue")).text
    assert "Bedt om at blive set igen" in queue and "Jeg har rettet det." in queue


async def test_the_queue_in_english_and_only_for_moderators(client, idea_url) -> None:
    await sign_in(client, "rie@example.dk")
    assert (await client.get("/admin/moderation/queue")).status_code == 403
    client.cookies.clear()
    await sign_in(client, "mads@example.dk")
    client.cookies.set("lang", "en")
    page = await client.get("/admin/moderation/queue")
    assert page.status_code == 200
    assert "Moderation queue" in page.text and "The queue is empty." in page.text


async def test_an_idea_awaiting_review_shows_its_author_the_expected_time(client, db) -> None:
    await make_purpose(db, slug="forslag", review_before_publishing=True)
    await make_user(db, email="anna@example.dk", display_name="Anna Jensen")
    await sign_in(client, "anna@example.dk")
    posted = await submit(client, "/purposes/forslag/ideas",
                          {"title": "Gratis bus for ældre", "body": "Bussen bør være gratis."})
    assert posted.status_code == 303
    url = posted.headers["location"]
    page = (await client.get(url)).text
    assert "Afventer godkendelse" in page and "Forventes godkendt senest" in page
    assert (await another_browser(client).get(url)).status_code == 404
    client.cookies.set("lang", "en")
    english = (await client.get(url)).text
    assert "Awaiting review" in english and "Expected by" in english
