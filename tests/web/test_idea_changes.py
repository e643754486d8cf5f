"""Editing and withdrawing an idea from its page, as plain forms (no JavaScript): the
author while it is open, an administrator always; everybody else is refused."""

from __future__ import annotations

import re

import asyncpg
import httpx

from tests.factories import make_purpose, make_user
from tests.web.forms import another_browser, sign_in, sign_up, submit


async def _post_idea(client: httpx.AsyncClient, slug: str) -> str:
    posted = await submit(client, f"/purposes/{slug}/ideas",
                          {"title": "Flere bænke ved vandet", "body": "Med *udsigt*."})
    assert posted.status_code == 303
    url: str = posted.headers["location"]
    return url


async def test_the_author_edits_the_idea_in_place(client: httpx.AsyncClient,
                                                  db: asyncpg.Connection) -> None:
    await make_purpose(db, slug="havn")
    await sign_up(client, "anna@example.dk", "Anna")
    url = await _post_idea(client, "havn")
    page = (await client.get(url)).text
    assert "Ret idéen" in page and "Træk idéen tilbage" in page
    assert 'value="Flere bænke ved vandet"' in page  # the form holds the idea as it is

    edited = await submit(client, f"{url}/edit", {"title": "Bænke med ryglæn ved vandet",
                                                  "body": "Med **ryglæn**."})
    assert edited.status_code == 303 and edited.headers["location"] == url
    page = (await client.get(url)).text
    assert '<h1 id="idea-title">Bænke med ryglæn ved vandet</h1>' in page
    assert "<strong>ryglæn</strong>" in page


async def test_an_edit_with_mistakes_comes_back_open_with_its_errors(
        client: httpx.AsyncClient, db: asyncpg.Connection) -> None:
    await make_purpose(db, slug="havn")
    await sign_up(client, "anna@example.dk", "Anna")
    url = await _post_idea(client, "havn")
    bad = await submit(client, f"{url}/edit", {"title": "Kort", "body": "Ny tekst, skrevet om."})
    assert bad.status_code == 400
    assert re.search(r'<details class="disclosure" id="ret" open>', bad.text)
    assert 'id="edit-title-error"' in bad.text and 'href="#edit-title"' in bad.text
    assert "Ny tekst, skrevet om." in bad.text  # what was typed stays
    assert await db.fetchval("SELECT title FROM ideas") == "Flere bænke ved vandet"


async def test_others_may_neither_edit_nor_withdraw(client: httpx.AsyncClient,
                                                    db: asyncpg.Connection) -> None:
    await make_purpose(db, slug="havn")
    await sign_up(client, "anna@example.dk", "Anna")
    url = await _post_idea(client, "havn")
    other = another_browser(client)
    await sign_up(other, "bo@example.dk", "Bo")
    page = (await other.get(url)).text
    assert "Ret idéen" not in page and "Træk idéen tilbage" not in page
    for action in ("edit", "withdraw"):
        refused = await submit(other, f"{url}/{action}", {"title": "Min nu", "body": "Ha."})
        assert refused.status_code == 403, action
        assert "Ingen adgang" in refused.text
    assert await db.fetchval("SELECT status FROM ideas") == "open"


async def test_the_author_withdraws_and_then_only_an_admin_may_edit(
        client: httpx.AsyncClient, db: asyncpg.Connection) -> None:
    await make_purpose(db, slug="havn")
    await make_user(db, role="admin", email="admin@example.dk")
    await sign_up(client, "anna@example.dk", "Anna")
    url = await _post_idea(client, "havn")

    withdrawn = await submit(client, f"{url}/withdraw", {})
    assert withdrawn.status_code == 303 and withdrawn.headers["location"] == url
    page = (await client.get(url)).text
    assert "badge--withdrawn" in page and "Trukket tilbage" in page
    assert "Ret idéen" not in page and "Træk idéen tilbage" not in page
    assert "Flere bænke ved vandet" not in (await client.get("/purposes/havn")).text

    again = await submit(client, f"{url}/edit", {"title": "En ny titel", "body": "Tekst."})
    assert again.status_code == 409
    assert "En idé kan kun rettes, mens den er åben" in again.text
    twice = await submit(client, f"{url}/withdraw", {})
    assert twice.status_code == 303  # withdrawing a withdrawn idea changes nothing

    admin = another_browser(client)
    await sign_in(admin, "admin@example.dk")
    assert "Ret idéen" in (await admin.get(url)).text
    fixed = await submit(admin, f"{url}/edit", {"title": "Bænke ved vandet", "body": "Tekst."})
    assert fixed.status_code == 303
    assert await db.fetchval("SELECT title FROM ideas") == "Bænke ved vandet"
