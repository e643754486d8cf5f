"""My page: notifications, my ideas, votes and follows, each a page at a time, the older
ones a link away (without JavaScript)."""

from __future__ import annotations

import re
from datetime import timedelta

import asyncpg
import httpx

from ideabox.platform.months import current_month, month_bounds, month_label, previous_month
from tests.conftest import NOW
from tests.factories import (
    backdate_idea,
    backdate_people,
    backdate_votes,
    bearer,
    make_purpose,
    make_user,
    post_idea,
    vote_as,
)
from tests.web.forms import sign_in

TZ = "Europe/Copenhagen"


def _older(page: str, name: str) -> str:
    found = re.search(rf'rel="next" href="(/me\?{name}=[^"#]+)#my-', page)
    assert found, f"no link to older {name}"
    return found.group(1).replace("&amp;", "&")


async def test_every_list_pages_on_to_the_older_items(client: httpx.AsyncClient,
                                                      db: asyncpg.Connection) -> None:
    purpose = await make_purpose(db, slug="havn", promote_top_n=12)
    anna, token = await make_user(db, email="anna@example.dk", display_name="Anna")
    _, admin_token = await make_user(db, role="admin")
    last_month = previous_month(current_month(TZ, NOW))
    posted = month_bounds(last_month, TZ)[0] + timedelta(days=2)
    # Her votes are moved back into last month: she was a verified person by then, as
    # anyone whose vote is cast must be (and as the promotion asks).
    await backdate_people(db, [anna.id], posted)
    titles = []
    for n in range(12):
        idea = await post_idea(client, token, purpose.slug, title=f"Annas idé nummer {n:02}")
        titles.append(idea["title"])
        await vote_as(client, [token], idea["id"])
        await client.put(f"/api/v1/ideas/{idea['id']}/follow", headers=bearer(token))
        await backdate_idea(db, idea["id"], posted + timedelta(hours=n))
        await backdate_votes(db, idea["id"], [anna.id], posted + timedelta(hours=n, minutes=5))
    # Twelve ideas sent on: twelve notifications for their author.
    promoted = await client.post(f"/api/v1/purposes/{purpose.slug}/promotions",
                                 headers=bearer(admin_token),
                                 json={"month": month_label(last_month)})
    assert promoted.status_code == 200 and len(promoted.json()["items"]) == 12

    await sign_in(client, "anna@example.dk")
    first = (await client.get("/me")).text
    assert first.count("er sendt videre til forvaltningen.") == 10
    assert "Annas idé nummer 11" in first and "Ældre" in first
    assert 'href="/me#my-notifications"' not in first  # already the newest

    older = (await client.get(_older(first, "notifications"))).text
    assert older.count("er sendt videre til forvaltningen.") == 2
    assert 'href="/me#my-notifications"' in older  # back to the newest
    # The other lists stay on their first page meanwhile.
    assert 'href="/me?ideas=' in older

    for name, section in (("ideas", "my-ideas"), ("votes", "my-votes"),
                          ("follows", "my-follows")):
        rest = (await client.get(_older(first, name))).text
        shown = re.search(rf'id="{section}".*?</section>', rest, re.S)
        assert shown, name
        assert shown.group(0).count("Annas idé nummer") == 4, name
        assert "nummer 00" in shown.group(0) and "nummer 11" not in shown.group(0), name


async def test_a_new_account_is_told_what_each_list_is_for(client: httpx.AsyncClient,
                                                           db: asyncpg.Connection) -> None:
    await make_user(db, email="bo@example.dk")
    await sign_in(client, "bo@example.dk")
    page = (await client.get("/me")).text
    assert "Ingen beskeder endnu." in page
    assert "Find et formål, og del din idé." in page
    assert "Ældre" not in page
