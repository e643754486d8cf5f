"""Moderation in the browser, as plain forms without JavaScript: hiding and showing an
idea again from its page with a required reason, and the moderators' page."""

from __future__ import annotations

import re

import asyncpg
import httpx
import pytest

from tests.factories import bearer, make_purpose, make_user
from tests.web.forms import another_browser, sign_in, submit

REASON = "Idéen nævner en nabo ved navn."


@pytest.fixture
async def idea_url(client: httpx.AsyncClient, db: asyncpg.Connection) -> str:
    """An idea by Anna, and a moderator (Mads) signed in in ``client``."""
    await make_purpose(db, slug="havnen")
    await make_user(db, email="anna@example.dk", display_name="Anna Jensen")
    await make_user(db, role="moderator", email="mads@example.dk", display_name="Mads")
    await sign_in(client, "anna@example.dk")
    posted = await submit(client, "/purposes/havnen/ideas",
                          {"title": "Flere bænke ved vandet", "body": "Med udsigt."})
    assert posted.status_code == 303
    client.cookies.clear()
    await sign_in(client, "mads@example.dk")
    url: str = posted.headers["location"]
    return url


async def test_a_moderator_hides_the_idea_and_shows_it_again(client, db, idea_url) -> None:
    page = (await client.get(idea_url)).text
    assert "Skjul idéen" in page and "Vis idéen igen" not in page
    assert f'action="{idea_url}/hide"' in page

    hidden = await submit(client, f"{idea_url}/hide", {"reason": REASON})
    assert hidden.status_code == 303 and hidden.headers["location"] == f"{idea_url}#moderation"
    page = (await client.get(idea_url)).text
    assert "En moderator har skjult denne idé." in page and REASON in page
    assert "Vis idéen igen" in page and f'action="{idea_url}/unhide"' in page
    assert "Idéen får den status tilbage, som den havde, før den blev skjult: " \
           "Åben for stemmer." in page
    assert (await another_browser(client).get(idea_url)).status_code == 404
    assert "Flere bænke ved vandet" not in (await another_browser(client).get(
        "/purposes/havnen")).text

    shown = await submit(client, f"{idea_url}/unhide", {"reason": "Navnet er fjernet."})
    assert shown.status_code == 303
    public = await another_browser(client).get(idea_url)
    assert public.status_code == 200
    # The public history says the idea was hidden and shown again, not why.
    assert "Vist igen af en moderator: Åben for stemmer" in public.text
    assert REASON not in public.text and "Navnet er fjernet." not in public.text
    assert "Flere bænke ved vandet" in (await another_browser(client).get(
        "/purposes/havnen")).text


async def test_a_missing_reason_comes_back_next_to_its_field(client, db, idea_url) -> None:
    refused = await submit(client, f"{idea_url}/hide", {"reason": "  "})
    assert refused.status_code == 400
    assert re.search(r'<details class="disclosure" id="moderation" open>', refused.text)
    assert 'id="moderation-reason-error"' in refused.text
    assert 'href="#moderation-reason"' in refused.text  # the summary leads to the field
    assert 'aria-describedby="moderation-reason-hint moderation-reason-error"' in refused.text
    assert await db.fetchval("SELECT status FROM ideas") == "open"


async def test_a_hiding_someone_else_did_meanwhile_is_explained(client, db, idea_url) -> None:
    await submit(client, f"{idea_url}/hide", {"reason": REASON})
    again = await submit(client, f"{idea_url}/hide", {"reason": "Også skjult af mig."})
    assert again.status_code == 409
    assert "Idéen er allerede skjult" in again.text
    assert "Vis idéen igen" in again.text  # the form that fits the idea now


async def test_others_see_no_tools_and_are_refused(client, db, idea_url) -> None:
    other = another_browser(client)
    await sign_in(other, "anna@example.dk")  # the author
    page = (await other.get(idea_url)).text
    assert "Skjul idéen" not in page
    refused = await submit(other, f"{idea_url}/hide", {"reason": "Min egen."})
    assert refused.status_code == 403 and "Ingen adgang" in refused.text
    assert (await other.get("/admin/moderation")).status_code == 403
    anonymous = await another_browser(client).get("/admin/moderation")
    assert anonymous.status_code == 303
    assert anonymous.headers["location"].startswith("/signin?next=/admin/moderation")


async def test_the_author_sees_why_on_the_idea_and_in_notifications(client, db,
                                                                    idea_url) -> None:
    await submit(client, f"{idea_url}/hide", {"reason": REASON})
    author = another_browser(client)
    await sign_in(author, "anna@example.dk")
    page = (await author.get(idea_url)).text
    assert "En moderator har skjult denne idé." in page and REASON in page
    assert "Skjul idéen" not in page and "Vis idéen igen" not in page
    mine = (await author.get("/me")).text
    assert f"En moderator har skjult “Flere bænke ved vandet”. Begrundelsen: {REASON}" in mine


async def test_the_moderation_page_lists_hidden_ideas_and_the_log(client, db,
                                                                  idea_url) -> None:
    empty = await client.get("/admin/moderation")
    assert empty.status_code == 200
    assert "Ingen idéer er skjult." in empty.text
    assert "Der er ikke modereret noget endnu." in empty.text
    assert 'href="/admin/moderation" aria-current="page"' in empty.text  # in the menu

    await submit(client, f"{idea_url}/hide", {"reason": REASON})
    page = (await client.get("/admin/moderation")).text
    hidden = page.split('id="hidden-ideas"')[1].split('id="moderation-log"')[0]
    assert f'<a href="{idea_url}">Flere bænke ved vandet</a>' in hidden
    assert REASON in hidden and "Åben for stemmer" in hidden
    log = page.split('id="moderation-log"')[1]
    assert "Mads" in log and "Skjulte idéen" in log and REASON in log

    english = await client.get("/admin/moderation", headers={"Accept-Language": "en"})
    assert "Moderation log" in english.text and "Hid the idea" in english.text


async def test_the_moderation_page_pages_on(client, db, idea_url) -> None:
    _, token = await make_user(db, role="moderator")
    idea_id = int(idea_url.rsplit("/", 1)[1])
    for _ in range(13):  # 26 actions: one more than a page
        for action in ("hide", "unhide"):
            done = await client.post(f"/api/v1/ideas/{idea_id}/{action}",
                                     json={"reason": "Frem og tilbage."},
                                     headers=bearer(token))
            assert done.status_code == 200
    first = (await client.get("/admin/moderation")).text
    older = re.search(r'<a rel="next" href="(/admin/moderation\?log=[^"#]+)#moderation-log"',
                      first)
    assert older is not None
    second = await client.get(older.group(1).replace("&amp;", "&"))
    assert second.status_code == 200
    assert second.text.count("Skjulte idéen") == 1  # the oldest action, the first hiding


async def test_administrators_find_moderation_from_the_administration(client, db) -> None:
    await make_user(db, role="admin", email="admin@example.dk")
    await sign_in(client, "admin@example.dk")
    assert 'href="/admin/moderation"' in (await client.get("/admin")).text
    assert (await client.get("/admin/moderation")).status_code == 200


async def test_an_english_reader_gets_english_tools(client, db, idea_url) -> None:
    page = (await client.get(idea_url, headers={"Accept-Language": "en"})).text
    assert "Hide the idea" in page and "The author is told this reason." in page

