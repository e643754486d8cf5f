"""A purpose's eligibility in the browser: the administration chooses it, and the purpose's
page says who may take part and how to qualify, in Danish and English."""

from __future__ import annotations

import asyncpg
import httpx

from tests.factories import make_purpose, make_user, record_residency
from tests.promotion.scene import LONG_AGO
from tests.web.forms import another_browser, sign_in, submit

FORM = {"title": "En bedre havnefront", "statement": "Hvad mangler?", "audience": "everyone",
        "promote_top_n": "3", "min_votes": "1", "timezone": "Europe/Copenhagen"}


async def test_the_admin_chooses_who_may_take_part(client: httpx.AsyncClient,
                                                   db: asyncpg.Connection) -> None:
    await make_user(db, role="admin", email="admin@example.dk")
    await sign_in(client, "admin@example.dk")
    form = (await client.get("/admin/purposes/new")).text
    assert '<label for="f-eligibility">Hvem kan være med</label>' in form
    assert '<option value="verified_email" selected>Alle med en bekræftet e-mail</option>' in form
    assert '<option value="verified_residency">Kun for borgere i kommunen</option>' in form
    assert 'aria-describedby="f-eligibility-hint"' in form

    wrong = await submit(client, "/admin/purposes/new",
                         {**FORM, "slug": "havn", "eligibility": "everybody"})
    assert wrong.status_code == 400 and 'id="f-eligibility-error"' in wrong.text
    made = await submit(client, "/admin/purposes/new",
                        {**FORM, "slug": "havn", "eligibility": "verified_residency"})
    assert made.status_code == 303
    assert await db.fetchval("SELECT eligibility FROM purposes WHERE slug = 'havn'") == \
        "verified_residency"
    edit = (await client.get("/admin/purposes/havn/edit")).text
    assert '<option value="verified_residency" selected>' in edit
    changed = await submit(client, "/admin/purposes/havn/edit",
                           {**FORM, "eligibility": "verified_email"})
    assert changed.status_code == 303
    assert await db.fetchval("SELECT eligibility FROM purposes WHERE slug = 'havn'") == \
        "verified_email"


async def test_the_page_says_who_may_take_part_and_how_to_qualify(
        client: httpx.AsyncClient, db: asyncpg.Connection) -> None:
    await make_purpose(db, slug="borgere", eligibility="verified_residency")
    await make_purpose(db, slug="alle")
    anonymous = another_browser(client)
    residents = (await anonymous.get("/purposes/borgere")).text
    assert "Hvem kan være med" in residents
    assert "Kun borgere i kommunen med bekræftet bopæl kan dele idéer" in residents
    assert "logge ind med en tjeneste, der bekræfter, hvor du bor, fx MitID" in residents
    everyone = (await anonymous.get("/purposes/alle")).text
    assert "Alle med en bekræftet e-mail kan dele idéer" in everyone
    assert "oprette en profil og bekræfte din e-mail" in everyone
    english = (await anonymous.get("/purposes/borgere",
                                   headers={"Accept-Language": "en"})).text
    assert "Who may take part" in english
    assert "sign in with a provider that confirms where you live, such as MitID" in english

    # Signed in: what this person still lacks, and no form they could not use.
    resident, _ = await make_user(db, email="bo@example.dk")
    await sign_in(client, "bo@example.dk")
    page = (await client.get("/purposes/borgere")).text
    assert "Din bopæl er ikke bekræftet." in page
    assert 'action="/purposes/borgere/ideas"' not in page
    assert 'action="/purposes/alle/ideas"' in (await client.get("/purposes/alle")).text
    await record_residency(db, resident.id, True, LONG_AGO)
    page = (await client.get("/purposes/borgere")).text
    assert "Du kan være med." in page and 'action="/purposes/borgere/ideas"' in page

    await make_user(db, email="ny@example.dk", verified=False)
    client.cookies.clear()
    await sign_in(client, "ny@example.dk")
    page = (await client.get("/purposes/alle")).text
    assert "Din e-mail er ikke bekræftet endnu." in page
    assert 'action="/purposes/alle/ideas"' not in page
