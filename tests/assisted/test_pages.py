"""The staff's pages for assisted participation, as a browser without JavaScript uses them:
register a person, act for them (share an idea, vote), and the marks readers see."""

from __future__ import annotations

import re

import asyncpg
import httpx

from tests.factories import make_assisted_person, make_purpose, make_user
from tests.web.forms import another_browser, sign_in, submit


async def _staff_browser(client: httpx.AsyncClient, db: asyncpg.Connection,
                         name: str = "Sara Sagsbehandler") -> int:
    staff, _ = await make_user(db, role="staff", email="sara@kommune.dk", display_name=name)
    await sign_in(client, "sara@kommune.dk")
    return staff.id


async def test_staff_register_a_person_and_act_for_them(
        client: httpx.AsyncClient, db: asyncpg.Connection) -> None:
    staff_id = await _staff_browser(client, db)
    await make_purpose(db, slug="havnen", title="En bedre havnefront")
    await make_purpose(db, slug="kun-borgere", title="Kun for borgere",
                       eligibility="verified_residency")
    await make_purpose(db, slug="internt", title="Kun for ansatte", audience="staff")

    start = await client.get("/staff/assisted")
    assert start.status_code == 200
    assert "<h1>Borgere uden digital adgang</h1>" in start.text
    assert 'href="/staff/assisted" aria-current="page"' in start.text  # in the menu

    registered = await submit(client, "/staff/assisted", {
        "display_name": "Karen Hansen", "note": "Viste sundhedskort i Borgerservice"})
    assert registered.status_code == 303, registered.text
    person_id = int(re.fullmatch(r"/staff/assisted/(\d+)\?done=registered",
                                 registered.headers["location"]).group(1))
    acting = await client.get(registered.headers["location"])
    assert acting.status_code == 200
    assert "<h1>Du deltager på vegne af Karen Hansen</h1>" in acting.text
    assert "står i borgerens navn" in acting.text
    assert "Karen Hansen er registreret." in acting.text
    # Only the purposes the person may take part in are offered: not the staff's own, and
    # not one for verified residents, as staff did not check the address.
    assert "En bedre havnefront" in acting.text
    assert "Kun for ansatte" not in acting.text and "Kun for borgere" not in acting.text

    shared = await submit(client, f"/staff/assisted/{person_id}/ideas", {
        "purpose": "havnen", "title": "Bænke ved busstoppestedet",
        "body": "Så jeg kan hvile mig på vej hjem."})
    assert shared.status_code == 303, shared.text
    assert shared.headers["location"] == f"/staff/assisted/{person_id}?purpose=havnen&done=idea"
    idea = await db.fetchrow("SELECT id, author_id, assisted_by FROM ideas")
    assert (idea["author_id"], idea["assisted_by"]) == (person_id, staff_id)

    voted = await submit(client, f"/staff/assisted/{person_id}/ideas/{idea['id']}/vote",
                         {"action": "cast", "purpose": "havnen", "q": ""})
    assert voted.status_code == 303
    assert voted.headers["location"] == (
        f"/staff/assisted/{person_id}?purpose=havnen&done=cast#idea-{idea['id']}")
    vote = await db.fetchrow("SELECT voter_id, assisted_by FROM votes")
    assert (vote["voter_id"], vote["assisted_by"]) == (person_id, staff_id)

    after = await client.get(f"/staff/assisted/{person_id}?purpose=havnen&done=cast")
    assert "Stemmen er afgivet for Karen Hansen." in after.text
    assert "Karen Hansen har stemt på denne idé." in after.text
    assert "Fjern stemmen" in after.text
    # What staff did, each act with the staff member's name.
    assert "Stemte, Sara Sagsbehandler" in after.text
    assert "Delte en idé, Sara Sagsbehandler" in after.text

    taken = await submit(client, f"/staff/assisted/{person_id}/ideas/{idea['id']}/vote",
                         {"action": "retract", "purpose": "havnen", "q": ""})
    assert taken.status_code == 303
    assert await db.fetchval("SELECT count(*) FROM votes") == 0

    # Readers see that the idea was submitted with help.
    page = await another_browser(client).get(f"/ideas/{idea['id']}")
    assert "Indtastet af medarbejder på borgerens vegne" in page.text
    english = await another_browser(client).get(f"/ideas/{idea['id']}",
                                                headers={"Accept-Language": "en"})
    assert "Entered by staff for the resident" in english.text


async def test_the_form_comes_back_with_its_errors_and_nothing_registered(
        client: httpx.AsyncClient, db: asyncpg.Connection) -> None:
    await _staff_browser(client, db)
    response = await submit(client, "/staff/assisted", {"display_name": "Karen Hansen",
                                                       "note": "  "})
    assert response.status_code == 400
    assert 'class="error-summary"' in response.text
    assert 'href="#f-note"' in response.text
    assert re.search(r'<textarea id="f-note"[^>]*aria-invalid="true"', response.text)
    assert 'value="Karen Hansen"' in response.text  # what was typed is kept
    assert await db.fetchval("SELECT count(*) FROM users WHERE assisted_by IS NOT NULL") == 0


async def test_residency_checked_in_person_opens_the_residents_purposes(
        client: httpx.AsyncClient, db: asyncpg.Connection) -> None:
    await _staff_browser(client, db)
    await make_purpose(db, slug="kun-borgere", title="Kun for borgere",
                       eligibility="verified_residency")
    registered = await submit(client, "/staff/assisted", {
        "display_name": "Ole Olsen", "note": "Pas og lejekontrakt", "resident": "true"})
    acting = await client.get(registered.headers["location"])
    assert "Kontrolleret ved personligt fremmøde" in acting.text
    assert "Kun for borgere" in acting.text


async def test_the_pages_are_for_staff_and_admins(
        client: httpx.AsyncClient, db: asyncpg.Connection) -> None:
    staff, _ = await make_user(db, role="staff")
    person = await make_assisted_person(db, staff)
    await make_user(db, email="borger@example.dk")
    await sign_in(client, "borger@example.dk")
    for path in ("/staff/assisted", f"/staff/assisted/{person.id}"):
        response = await client.get(path)
        assert response.status_code == 403, path
        assert "Kun medarbejdere og administratorer hjælper borgere uden digital adgang" \
            in response.text
    refused = await submit(client, "/staff/assisted", {"display_name": "Karen",
                                                      "note": "Pas"})
    assert refused.status_code == 403
    assert await db.fetchval("SELECT count(*) FROM users WHERE assisted_by IS NOT NULL") == 1
    home = await client.get("/")
    assert "/staff/assisted" not in home.text

    admin_browser = another_browser(client)
    await make_user(db, role="admin", email="admin@kommune.dk")
    await sign_in(admin_browser, "admin@kommune.dk")
    assert (await admin_browser.get(f"/staff/assisted/{person.id}")).status_code == 200


async def test_the_admins_list_of_people_shows_no_address_for_a_registered_person(
        client: httpx.AsyncClient, db: asyncpg.Connection) -> None:
    admin, _ = await make_user(db, role="admin", email="admin@kommune.dk")
    await make_assisted_person(db, admin, display_name="Karen Hansen")
    await sign_in(client, "admin@kommune.dk")
    people = await client.get("/admin/users", params={"q": "Karen"})
    assert people.status_code == 200
    row = re.search(r"<td>Karen Hansen</td>\s*<td>(.*?)</td>", people.text)
    assert row is not None and "ingen e-mail" in row.group(1) and "None" not in row.group(1)
