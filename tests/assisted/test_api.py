"""Assisted participation over the JSON API: staff register a person without digital
access and post, comment and vote for them; only staff, only for such people; every act
is the person's, marked, and names the staff member in the audit log."""

from __future__ import annotations

from typing import Any

import asyncpg
import httpx
import pytest

from ideabox.accounts.passwords import UNUSABLE
from tests.conftest import NOW
from tests.factories import bearer, make_assisted_person, make_purpose, make_user, post_idea


async def _audit(db: asyncpg.Connection, subject_id: int) -> list[dict[str, Any]]:
    rows = await db.fetch("SELECT actor_id, action, subject_id, idea_id, comment_id, detail, "
                          "created_at FROM audit_log WHERE subject_id = $1 ORDER BY id",
                          subject_id)
    return [dict(row) for row in rows]


async def _counts(db: asyncpg.Connection) -> tuple[int, int, int, int]:
    """Ideas, comments, votes and audit rows: what a refused act must leave unchanged."""
    row = await db.fetchrow("SELECT (SELECT count(*) FROM ideas) AS ideas, "
                            "(SELECT count(*) FROM comments) AS comments, "
                            "(SELECT count(*) FROM votes) AS votes, "
                            "(SELECT count(*) FROM audit_log) AS audit")
    assert row is not None
    return row["ideas"], row["comments"], row["votes"], row["audit"]


async def _every_page(client: httpx.AsyncClient, url: str, token: str) -> list[dict[str, Any]]:
    """Every item of a list, read two at a time by its cursor."""
    items: list[dict[str, Any]] = []
    cursor = None
    while True:
        response = await client.get(url, headers=bearer(token),
                                    params={"limit": 2, **({"cursor": cursor} if cursor else {})})
        assert response.status_code == 200, response.text
        items += response.json()["items"]
        cursor = response.json()["next_cursor"]
        if cursor is None:
            return items


def _code(response: httpx.Response) -> str:
    extra = response.json()["extra"]
    code: str = extra["code"] if isinstance(extra, dict) else extra[0]["code"]
    return code


async def test_staff_register_a_verified_person_without_email_or_password(
        client: httpx.AsyncClient, db: asyncpg.Connection) -> None:
    staff, token = await make_user(db, role="staff", display_name="Sagsbehandler Sara")
    response = await client.post("/api/v1/assisted-people", headers=bearer(token), json={
        "display_name": "  Karen Hansen ", "note": "Viste pas ved borgerservice"})
    assert response.status_code == 201, response.text
    person = response.json()
    assert person["display_name"] == "Karen Hansen" and person["role"] == "resident"
    assert person["assisted"] is True and person["resident"] is False
    assert person["registered_by"] == {"id": staff.id, "display_name": "Sagsbehandler Sara",
                                       "role": "staff"}
    assert person["note"] == "Viste pas ved borgerservice"

    row = await db.fetchrow("SELECT email, password_hash, verified_at, assisted_by, "
                            "assisted_note, email_verified_at FROM users WHERE id = $1",
                            person["id"])
    assert row["email"] is None and row["password_hash"] == UNUSABLE
    assert row["verified_at"] == NOW and row["email_verified_at"] is None
    assert row["assisted_by"] == staff.id
    assert await db.fetchval("SELECT count(*) FROM residency_checks WHERE user_id = $1",
                             person["id"]) == 0
    assert await _audit(db, person["id"]) == [{
        "actor_id": staff.id, "action": "register_assisted", "subject_id": person["id"],
        "idea_id": None, "comment_id": None, "detail": None, "created_at": NOW}]


async def test_residency_checked_in_person_is_a_residency_check(
        client: httpx.AsyncClient, db: asyncpg.Connection) -> None:
    _, token = await make_user(db, role="admin")
    response = await client.post("/api/v1/assisted-people", headers=bearer(token), json={
        "display_name": "Ole Olsen", "note": "Sundhedskort", "resident": True})
    assert response.status_code == 201, response.text
    person = response.json()
    assert person["resident"] is True
    check = await db.fetchrow("SELECT provider, resident, checked_at FROM residency_checks "
                              "WHERE user_id = $1", person["id"])
    assert dict(check) == {"provider": "assisted", "resident": True, "checked_at": NOW}
    assert (await _audit(db, person["id"]))[0]["detail"] == "resident"


@pytest.mark.parametrize("role", ["resident", "moderator"])
async def test_only_staff_and_admins_register_and_list(
        client: httpx.AsyncClient, db: asyncpg.Connection, role: str) -> None:
    _, token = await make_user(db, role=role)  # type: ignore[arg-type]
    response = await client.post("/api/v1/assisted-people", headers=bearer(token),
                                 json={"display_name": "Karen", "note": "Pas"})
    assert response.status_code == 403 and _code(response) == "staff_only_assisted"
    listed = await client.get("/api/v1/assisted-people", headers=bearer(token))
    assert listed.status_code == 403 and _code(listed) == "staff_only_assisted"
    assert await db.fetchval("SELECT count(*) FROM users WHERE assisted_by IS NOT NULL") == 0


@pytest.mark.parametrize(("body", "field", "code"), [
    ({"display_name": "Karen", "note": "   "}, "note", "too_short"),
    ({"display_name": "Karen", "note": "x" * 1001}, "note", None),
    ({"display_name": "Karen", "note": "Pas\x07"}, "note", "control_characters"),
    ({"display_name": "Ka\nren", "note": "Pas"}, "display_name", "control_characters"),
    ({"display_name": "   ", "note": "Pas"}, "display_name", "blank"),
    ({"display_name": "Karen"}, "note", None),
    ({"display_name": "Karen", "note": "Pas", "email": "k@example.dk"}, "email", None),
])
async def test_bad_input_names_the_field_and_writes_nothing(
        client: httpx.AsyncClient, db: asyncpg.Connection, body: dict[str, Any], field: str,
        code: str | None) -> None:
    _, token = await make_user(db, role="staff")
    response = await client.post("/api/v1/assisted-people", headers=bearer(token), json=body)
    assert response.status_code == 400, response.text
    extra = response.json()["extra"]
    assert field in str(extra)
    if code is not None:
        assert extra[0]["key"] == field and extra[0]["code"] == code
    assert await db.fetchval("SELECT count(*) FROM users WHERE assisted_by IS NOT NULL") == 0
    assert await db.fetchval("SELECT count(*) FROM audit_log") == 0


async def test_the_list_pages_newest_first_and_finds_by_name(
        client: httpx.AsyncClient, db: asyncpg.Connection) -> None:
    staff, token = await make_user(db, role="staff")
    await make_user(db, display_name="Karen Almindelig")  # an ordinary account: not listed
    first = await make_assisted_person(db, staff, display_name="Karen Hansen")
    second = await make_assisted_person(db, staff, display_name="Jens 100% Jensen")
    third = await make_assisted_person(db, staff, display_name="Karen Nielsen")
    seen = await _every_page(client, "/api/v1/assisted-people", token)
    assert [person["id"] for person in seen] == [third.id, second.id, first.id]
    found = await client.get("/api/v1/assisted-people", headers=bearer(token),
                             params={"q": "karen"})
    assert [p["id"] for p in found.json()["items"]] == [third.id, first.id]
    literal = await client.get("/api/v1/assisted-people", headers=bearer(token),
                               params={"q": "0% J"})
    assert [p["id"] for p in literal.json()["items"]] == [second.id]
    nul = await client.get("/api/v1/assisted-people", headers=bearer(token),
                           params={"q": "Ka\x00ren"})
    assert nul.status_code == 400
    assert nul.json()["extra"][0]["key"] == "q" and _code(nul) == "nul_characters"


async def test_staff_post_an_idea_for_the_person(
        client: httpx.AsyncClient, db: asyncpg.Connection) -> None:
    staff, token = await make_user(db, role="staff")
    person = await make_assisted_person(db, staff, display_name="Karen Hansen")
    await make_purpose(db, slug="havnen")
    response = await client.post("/api/v1/purposes/havnen/ideas", headers=bearer(token), json={
        "title": "Bænke ved havnen", "body": "Så man kan hvile sig.", "on_behalf_of": person.id})
    assert response.status_code == 201, response.text
    idea = response.json()
    assert idea["author"] == {"id": person.id, "display_name": "Karen Hansen",
                              "role": "resident"}
    assert idea["assisted"] is True
    stored = await db.fetchrow("SELECT author_id, assisted_by FROM ideas WHERE id = $1",
                               idea["id"])
    assert dict(stored) == {"author_id": person.id, "assisted_by": staff.id}
    assert (await _audit(db, person.id))[1:] == [{
        "actor_id": staff.id, "action": "post_idea_for", "subject_id": person.id,
        "idea_id": idea["id"], "comment_id": None, "detail": None, "created_at": NOW}]
    # Read back anonymously (from the cache, then from PostgreSQL), and in the list.
    for _ in range(2):
        again = await client.get(f"/api/v1/ideas/{idea['id']}")
        assert again.json()["assisted"] is True
    listed = await client.get("/api/v1/purposes/havnen/ideas")
    assert [i["assisted"] for i in listed.json()["items"]] == [True]
    # A person's own idea is not marked, nor audited.
    _, own = await make_user(db)
    mine = await post_idea(client, own, "havnen")
    assert mine["assisted"] is False
    assert await db.fetchval("SELECT count(*) FROM audit_log") == 2


async def test_staff_comment_for_the_person(
        client: httpx.AsyncClient, db: asyncpg.Connection) -> None:
    staff, token = await make_user(db, role="staff")
    person = await make_assisted_person(db, staff)
    await make_purpose(db, slug="havnen")
    _, author = await make_user(db)
    idea = await post_idea(client, author, "havnen")
    response = await client.post(f"/api/v1/ideas/{idea['id']}/comments", headers=bearer(token),
                                 json={"body": "Godt forslag.", "on_behalf_of": person.id})
    assert response.status_code == 201, response.text
    comment = response.json()
    assert comment["author"]["id"] == person.id and comment["assisted"] is True
    assert await db.fetchval("SELECT assisted_by FROM comments WHERE id = $1",
                             comment["id"]) == staff.id
    entry = (await _audit(db, person.id))[-1]
    assert (entry["action"], entry["actor_id"], entry["idea_id"], entry["comment_id"]) == (
        "comment_for", staff.id, idea["id"], comment["id"])
    thread = await client.get(f"/api/v1/ideas/{idea['id']}/comments")
    assert [c["assisted"] for c in thread.json()["items"]] == [True]


async def test_staff_vote_and_take_the_vote_back_for_the_person(
        client: httpx.AsyncClient, db: asyncpg.Connection) -> None:
    staff, token = await make_user(db, role="staff")
    person = await make_assisted_person(db, staff)
    await make_purpose(db, slug="havnen")
    _, author = await make_user(db)
    idea = await post_idea(client, author, "havnen")
    url = f"/api/v1/ideas/{idea['id']}/vote"
    for _ in range(2):  # idempotent: the second changes nothing and is not audited
        cast = await client.put(url, headers=bearer(token), params={"on_behalf_of": person.id})
        assert cast.status_code == 200, cast.text
        assert cast.json() == {"voted": True, "votes": 1}
    vote = await db.fetchrow("SELECT voter_id, assisted_by FROM votes WHERE idea_id = $1",
                             idea["id"])
    assert dict(vote) == {"voter_id": person.id, "assisted_by": staff.id}
    # The staff member's own vote is their own.
    mine = await client.put(url, headers=bearer(token))
    assert mine.json() == {"voted": True, "votes": 2}
    taken = await client.delete(url, headers=bearer(token), params={"on_behalf_of": person.id})
    assert taken.status_code == 200 and taken.json() == {"voted": False, "votes": 1}
    assert await db.fetchval("SELECT voter_id FROM votes WHERE idea_id = $1",
                             idea["id"]) == staff.id
    actions = [(e["action"], e["actor_id"], e["idea_id"]) for e in await _audit(db, person.id)]
    assert actions == [("register_assisted", staff.id, None), ("vote_for", staff.id, idea["id"]),
                       ("retract_vote_for", staff.id, idea["id"])]
    assert (await client.get(f"/api/v1/ideas/{idea['id']}")).json()["votes"] == 1


async def test_a_resident_cannot_act_for_anyone(
        client: httpx.AsyncClient, db: asyncpg.Connection) -> None:
    staff, _ = await make_user(db, role="staff")
    person = await make_assisted_person(db, staff)
    await make_purpose(db, slug="havnen")
    _, resident = await make_user(db)
    idea = await post_idea(client, resident, "havnen")
    before = await _counts(db)
    for response in [
        await client.post("/api/v1/purposes/havnen/ideas", headers=bearer(resident), json={
            "title": "For en anden", "body": "Tekst", "on_behalf_of": person.id}),
        await client.post(f"/api/v1/ideas/{idea['id']}/comments", headers=bearer(resident),
                          json={"body": "Tekst", "on_behalf_of": person.id}),
        await client.put(f"/api/v1/ideas/{idea['id']}/vote", headers=bearer(resident),
                         params={"on_behalf_of": person.id}),
        await client.delete(f"/api/v1/ideas/{idea['id']}/vote", headers=bearer(resident),
                            params={"on_behalf_of": person.id}),
    ]:
        assert response.status_code == 403, response.text
        assert _code(response) == "staff_only_assisted"
    assert await _counts(db) == before


async def test_moderators_do_not_act_for_people(
        client: httpx.AsyncClient, db: asyncpg.Connection) -> None:
    staff, _ = await make_user(db, role="staff")
    person = await make_assisted_person(db, staff)
    await make_purpose(db, slug="havnen")
    _, moderator = await make_user(db, role="moderator")
    response = await client.post("/api/v1/purposes/havnen/ideas", headers=bearer(moderator),
                                 json={"title": "For en anden", "body": "Tekst",
                                       "on_behalf_of": person.id})
    assert response.status_code == 403 and _code(response) == "staff_only_assisted"


async def test_staff_cannot_act_for_an_ordinary_account(
        client: httpx.AsyncClient, db: asyncpg.Connection) -> None:
    _, token = await make_user(db, role="staff")
    ordinary, ordinary_token = await make_user(db)
    await make_purpose(db, slug="havnen")
    idea = await post_idea(client, ordinary_token, "havnen")
    before = await _counts(db)
    for response, source in [
        (await client.post("/api/v1/purposes/havnen/ideas", headers=bearer(token), json={
            "title": "For en anden", "body": "Tekst", "on_behalf_of": ordinary.id}), "body"),
        (await client.post(f"/api/v1/ideas/{idea['id']}/comments", headers=bearer(token),
                           json={"body": "Tekst", "on_behalf_of": ordinary.id}), "body"),
        (await client.put(f"/api/v1/ideas/{idea['id']}/vote", headers=bearer(token),
                          params={"on_behalf_of": ordinary.id}), "query"),
    ]:
        assert response.status_code == 403, response.text
        assert response.json()["extra"] == [{
            "key": "on_behalf_of", "source": source, "code": "not_assisted",
            "message": f"User {ordinary.id} was not registered by staff; staff act only for "
                       "people registered for assisted participation"}]
    assert await _counts(db) == before


async def test_an_unknown_person_is_404_naming_on_behalf_of(
        client: httpx.AsyncClient, db: asyncpg.Connection) -> None:
    _, token = await make_user(db, role="staff")
    await make_purpose(db, slug="havnen")
    _, author = await make_user(db)
    idea = await post_idea(client, author, "havnen")
    posted = await client.post("/api/v1/purposes/havnen/ideas", headers=bearer(token), json={
        "title": "For en anden", "body": "Tekst", "on_behalf_of": 987654})
    assert posted.status_code == 404
    assert posted.json()["extra"][0]["key"] == "on_behalf_of"
    assert posted.json()["extra"][0]["code"] == "assisted_person_not_found"
    voted = await client.put(f"/api/v1/ideas/{idea['id']}/vote", headers=bearer(token),
                             params={"on_behalf_of": 987654})
    assert voted.status_code == 404
    assert voted.json()["extra"][0]["key"] == "on_behalf_of"
    assert voted.json()["extra"][0]["source"] == "query"
    bad = await client.put(f"/api/v1/ideas/{idea['id']}/vote", headers=bearer(token),
                           params={"on_behalf_of": "Karen"})
    assert bad.status_code == 400 and "on_behalf_of" in bad.text
    assert await db.fetchval("SELECT count(*) FROM votes") == 0


@pytest.mark.parametrize("resident", [False, True])
async def test_a_verified_residency_purpose_takes_those_whose_residency_staff_checked(
        client: httpx.AsyncClient, db: asyncpg.Connection, resident: bool) -> None:
    staff, token = await make_user(db, role="staff")
    person = await make_assisted_person(db, staff, resident=resident)
    await make_purpose(db, slug="kun-borgere", eligibility="verified_residency")
    await make_purpose(db, slug="alle")
    # An idea to vote for, from a resident whose address staff checked.
    neighbour = await make_assisted_person(db, staff, resident=True)
    idea = await post_idea(client, token, "kun-borgere", on_behalf_of=neighbour.id)
    before = await _counts(db)
    posted = await client.post("/api/v1/purposes/kun-borgere/ideas", headers=bearer(token), json={
        "title": "Bænke ved havnen", "body": "Tekst", "on_behalf_of": person.id})
    voted = await client.put(f"/api/v1/ideas/{idea['id']}/vote", headers=bearer(token),
                             params={"on_behalf_of": person.id})
    if resident:
        assert posted.status_code == 201 and voted.status_code == 200
        assert voted.json() == {"voted": True, "votes": 1}
    else:
        for response in (posted, voted):
            assert response.status_code == 403
            assert _code(response) == "assisted_residency_needed"
        assert await _counts(db) == before
    # Everyone verified takes part in an ordinary purpose.
    ordinary = await client.post("/api/v1/purposes/alle/ideas", headers=bearer(token), json={
        "title": "Lys på stien", "body": "Tekst", "on_behalf_of": person.id})
    assert ordinary.status_code == 201


async def test_the_purposes_audience_applies_to_the_person(
        client: httpx.AsyncClient, db: asyncpg.Connection) -> None:
    staff, token = await make_user(db, role="staff")
    person = await make_assisted_person(db, staff)
    await make_purpose(db, slug="internt", audience="staff")
    response = await client.post("/api/v1/purposes/internt/ideas", headers=bearer(token), json={
        "title": "For en anden", "body": "Tekst", "on_behalf_of": person.id})
    assert response.status_code == 403 and _code(response) == "staff_only"


async def test_staff_read_a_persons_audit_log_naming_each_staff_member(
        client: httpx.AsyncClient, db: asyncpg.Connection) -> None:
    sara, sara_token = await make_user(db, role="staff", display_name="Sara")
    _, lars_token = await make_user(db, role="admin", display_name="Lars")
    person = await make_assisted_person(db, sara)
    await make_purpose(db, slug="havnen")
    idea_id = (await post_idea(client, lars_token, "havnen", title="Bænke ved havnen",
                               on_behalf_of=person.id))["id"]
    await client.put(f"/api/v1/ideas/{idea_id}/vote", headers=bearer(sara_token),
                     params={"on_behalf_of": person.id})
    entries = await _every_page(client, f"/api/v1/assisted-people/{person.id}/audit",
                                sara_token)
    assert [(e["action"], e["actor"]["display_name"], e["idea_title"]) for e in entries] == [
        ("vote_for", "Sara", "Bænke ved havnen"),
        ("post_idea_for", "Lars", "Bænke ved havnen"),
        ("register_assisted", "Sara", None)]
    one = await client.get(f"/api/v1/assisted-people/{person.id}", headers=bearer(sara_token))
    assert one.status_code == 200 and one.json()["registered_by"]["display_name"] == "Sara"


async def test_the_audit_log_is_for_staff_and_only_of_assisted_people(
        client: httpx.AsyncClient, db: asyncpg.Connection) -> None:
    staff, token = await make_user(db, role="staff")
    person = await make_assisted_person(db, staff)
    ordinary, resident_token = await make_user(db)
    refused = await client.get(f"/api/v1/assisted-people/{person.id}/audit",
                               headers=bearer(resident_token))
    assert refused.status_code == 403
    for path in (f"/api/v1/assisted-people/{ordinary.id}/audit",
                 f"/api/v1/assisted-people/{ordinary.id}",
                 f"/api/v1/assisted-people/{ordinary.id}/export",
                 "/api/v1/assisted-people/987654"):
        response = await client.get(path, headers=bearer(token))
        assert response.status_code == 404 and _code(response) == "assisted_person_not_found"


async def test_the_persons_data_export_holds_what_staff_did_for_them(
        client: httpx.AsyncClient, db: asyncpg.Connection) -> None:
    staff, token = await make_user(db, role="staff")
    person = await make_assisted_person(db, staff, display_name="Karen Hansen")
    await make_purpose(db, slug="havnen")
    idea_id = (await post_idea(client, token, "havnen", on_behalf_of=person.id))["id"]
    await client.put(f"/api/v1/ideas/{idea_id}/vote", headers=bearer(token),
                     params={"on_behalf_of": person.id})
    await client.post(f"/api/v1/ideas/{idea_id}/comments", headers=bearer(token),
                      json={"body": "Tak.", "on_behalf_of": person.id})
    response = await client.get(f"/api/v1/assisted-people/{person.id}/export",
                                headers=bearer(token))
    assert response.status_code == 200, response.text
    data = response.json()
    assert data["profile"]["id"] == person.id and data["profile"]["email"] is None
    assert data["profile"]["sign_in_methods"] == []
    assert [i["assisted"] for i in data["ideas"]] == [True]
    assert [v["assisted"] for v in data["votes"]] == [True]
    assert [c["assisted"] for c in data["comments"]] == [True]
    assert [(a["action"], a["actor_id"]) for a in data["assistance"]] == [
        ("register_assisted", staff.id), ("post_idea_for", staff.id), ("vote_for", staff.id),
        ("comment_for", staff.id)]
    # The staff member's own export holds what they did for others.
    mine = (await client.get("/api/v1/me/export", headers=bearer(token))).json()
    assert [(a["action"], a["subject_id"]) for a in mine["assistance"]] == [
        ("register_assisted", person.id), ("post_idea_for", person.id),
        ("vote_for", person.id), ("comment_for", person.id)]
    assert mine["ideas"] == [] and mine["votes"] == []
