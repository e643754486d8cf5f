"""Categories through the JSON API: who keeps them, their order, retiring instead of
deleting, filing ideas under them, and lists filtered by them."""

from __future__ import annotations

from typing import Any

import asyncpg
import httpx
import pytest

from tests.categories.helpers import add_category
from tests.factories import bearer, make_purpose, make_user, post_idea


def _field(response: httpx.Response) -> tuple[str, str]:
    extra = response.json()["extra"]
    return extra[0]["key"], extra[0]["code"]


async def _ideas(client: httpx.AsyncClient, purpose: str, **params: Any) -> list[str]:
    response = await client.get(f"/api/v1/purposes/{purpose}/ideas", params=params)
    assert response.status_code == 200, response.text
    return [idea["title"] for idea in response.json()["items"]]


async def test_staff_keep_categories_in_order_and_anyone_reads_them(client, db):
    await make_purpose(db, slug="havnen")
    _, admin = await make_user(db, role="admin")
    _, staff = await make_user(db, role="staff")
    _, resident = await make_user(db)

    await add_category(client, admin, "havnen", "trafik", "Trafik", "Traffic",
                       department="Teknik og Miljø")
    await add_category(client, staff, "havnen", "groent", "Grønne områder", "Green spaces",
                       position=0)
    await add_category(client, admin, "havnen", "kultur", "Kultur", "Culture")

    listed = await client.get("/api/v1/purposes/havnen/categories")
    assert listed.status_code == 200
    body = listed.json()
    assert body["next_cursor"] is None
    # By position, then by age: a category made without one goes after the others.
    assert [(c["slug"], c["position"]) for c in body["items"]] == [
        ("trafik", 0), ("groent", 0), ("kultur", 1)]
    trafik = next(c for c in body["items"] if c["slug"] == "trafik")
    assert trafik["department"] == "Teknik og Miljø" and trafik["name_en"] == "Traffic"
    assert trafik["retired"] is False and trafik["idea_count"] == 0

    moved = await client.patch("/api/v1/purposes/havnen/categories/kultur",
                               headers=bearer(staff), json={"position": 0, "department": ""})
    assert moved.status_code == 200 and moved.json()["department"] is None

    refused = await client.post("/api/v1/purposes/havnen/categories", headers=bearer(resident),
                                json={"slug": "x", "name_da": "X", "name_en": "X"})
    assert refused.status_code == 403
    assert refused.json()["extra"] == {"code": "staff_only_categories"}
    anonymous = await client.post("/api/v1/purposes/havnen/categories",
                                  json={"slug": "x", "name_da": "X", "name_en": "X"})
    assert anonymous.status_code == 401
    assert await db.fetchval("SELECT count(*) FROM categories") == 3


async def test_the_order_is_the_position_then_the_age(client, db):
    await make_purpose(db, slug="havnen")
    _, admin = await make_user(db, role="admin")
    await add_category(client, admin, "havnen", "a", "A", "A")            # position 0
    await add_category(client, admin, "havnen", "b", "B", "B")            # position 1
    await add_category(client, admin, "havnen", "c", "C", "C", position=0)
    listed = (await client.get("/api/v1/purposes/havnen/categories")).json()["items"]
    assert [(c["slug"], c["position"]) for c in listed] == [("a", 0), ("c", 0), ("b", 1)]


@pytest.mark.parametrize(("payload", "field"), [
    ({"slug": "Store Bogstaver", "name_da": "X", "name_en": "X"}, "slug"),
    ({"slug": "ok", "name_da": "", "name_en": "X"}, "name_da"),
    ({"slug": "ok", "name_da": "X", "name_en": "x" * 81}, "name_en"),
    ({"slug": "ok", "name_da": "X", "name_en": "X", "position": -1}, "position"),
    ({"slug": "ok", "name_da": "   ", "name_en": "X"}, "name_da"),
    ({"slug": "ok", "name_da": "X\u2028Y", "name_en": "X"}, "name_da"),
])
async def test_bad_input_names_the_field(client, db, payload, field):
    await make_purpose(db, slug="havnen")
    _, admin = await make_user(db, role="admin")
    response = await client.post("/api/v1/purposes/havnen/categories", headers=bearer(admin),
                                 json=payload)
    assert response.status_code == 400, response.text
    assert field in response.text
    assert await db.fetchval("SELECT count(*) FROM categories") == 0


async def test_a_taken_slug_is_a_conflict_within_the_purpose_only(client, db):
    await make_purpose(db, slug="havnen")
    await make_purpose(db, slug="skolen")
    _, admin = await make_user(db, role="admin")
    await add_category(client, admin, "havnen", "trafik", "Trafik", "Traffic")
    again = await client.post("/api/v1/purposes/havnen/categories", headers=bearer(admin),
                              json={"slug": "trafik", "name_da": "T", "name_en": "T"})
    assert again.status_code == 409
    assert _field(again) == ("slug", "category_slug_taken")
    await add_category(client, admin, "skolen", "trafik", "Trafik", "Traffic")
    unknown = await client.get("/api/v1/purposes/havnen/categories/ukendt")
    assert unknown.status_code == 404
    assert unknown.json()["extra"] == {"code": "category_not_found"}


async def test_an_idea_is_filed_under_one_of_its_purposes_categories(client, db):
    await make_purpose(db, slug="havnen")
    await make_purpose(db, slug="skolen")
    _, admin = await make_user(db, role="admin")
    _, author = await make_user(db)
    made = await add_category(client, admin, "havnen", "trafik", "Trafik", "Traffic")
    await add_category(client, admin, "skolen", "kantine", "Kantine", "Canteen")

    posted = await client.post("/api/v1/purposes/havnen/ideas", headers=bearer(author),
                               json={"title": "Cykelsti langs vandet", "body": "Tak.",
                                     "category": "trafik"})
    assert posted.status_code == 201, posted.text
    idea = posted.json()
    assert idea["category"] == {"id": made["id"], "slug": "trafik", "name_da": "Trafik",
                                "name_en": "Traffic", "retired": False}
    # Read again (from the cache now) it says the same.
    again = await client.get(f"/api/v1/ideas/{idea['id']}")
    assert again.json()["category"]["slug"] == "trafik"

    # Another purpose's category, or one that does not exist: 400 naming the field, and
    # nothing posted.
    for choice in ("kantine", "findes-ikke"):
        refused = await client.post("/api/v1/purposes/havnen/ideas", headers=bearer(author),
                                    json={"title": "Endnu en god idé", "body": "Tak.",
                                          "category": choice})
        assert refused.status_code == 400, refused.text
        assert _field(refused) == ("category", "category_unknown")
    assert await db.fetchval("SELECT count(*) FROM ideas") == 1

    cleared = await client.patch(f"/api/v1/ideas/{idea['id']}", headers=bearer(author),
                                 json={"category": None})
    assert cleared.status_code == 200 and cleared.json()["category"] is None
    refiled = await client.patch(f"/api/v1/ideas/{idea['id']}", headers=bearer(author),
                                 json={"category": "trafik"})
    assert refiled.json()["category"]["slug"] == "trafik"
    kept = await client.patch(f"/api/v1/ideas/{idea['id']}", headers=bearer(author),
                              json={"title": "Cykelsti langs havnen"})
    assert kept.json()["category"]["slug"] == "trafik"
    other = await client.patch(f"/api/v1/ideas/{idea['id']}", headers=bearer(author),
                               json={"category": "kantine"})
    assert other.status_code == 400 and _field(other) == ("category", "category_unknown")


async def test_the_database_refuses_another_purposes_category(client, db):
    """The foreign key says it too, not only the code."""
    await make_purpose(db, slug="havnen")
    await make_purpose(db, slug="skolen")
    _, admin = await make_user(db, role="admin")
    _, author = await make_user(db)
    kantine = await add_category(client, admin, "skolen", "kantine", "Kantine", "Canteen")
    idea = await post_idea(client, author, "havnen")
    with pytest.raises(asyncpg.ForeignKeyViolationError):
        await db.execute("UPDATE ideas SET category_id = $2 WHERE id = $1", idea["id"],
                         kantine["id"])


async def test_a_used_category_is_retired_not_deleted_and_its_ideas_keep_it(client, db):
    await make_purpose(db, slug="havnen")
    _, admin = await make_user(db, role="admin")
    _, author = await make_user(db)
    await add_category(client, admin, "havnen", "trafik", "Trafik", "Traffic")
    await add_category(client, admin, "havnen", "tom", "Tom", "Empty")
    posted = await client.post("/api/v1/purposes/havnen/ideas", headers=bearer(author),
                               json={"title": "Cykelsti langs vandet", "body": "Tak.",
                                     "category": "trafik"})
    idea_id = posted.json()["id"]
    assert (await client.get(f"/api/v1/ideas/{idea_id}")).json()["category"]["retired"] is False

    in_use = await client.delete("/api/v1/purposes/havnen/categories/trafik",
                                 headers=bearer(admin))
    assert in_use.status_code == 409
    assert in_use.json()["extra"] == {"code": "category_in_use"}
    gone = await client.delete("/api/v1/purposes/havnen/categories/tom", headers=bearer(admin))
    assert gone.status_code == 204

    retired = await client.patch("/api/v1/purposes/havnen/categories/trafik",
                                 headers=bearer(admin),
                                 json={"retired": True, "name_en": "Traffic and roads"})
    assert retired.status_code == 200
    assert retired.json()["retired"] is True and retired.json()["retired_at"] is not None
    # No longer offered, but the idea keeps it (its cached copy says the new name).
    assert (await client.get("/api/v1/purposes/havnen/categories")).json()["items"] == []
    every = await client.get("/api/v1/purposes/havnen/categories",
                             params={"include_retired": "true"})
    assert [c["slug"] for c in every.json()["items"]] == ["trafik"]
    idea = (await client.get(f"/api/v1/ideas/{idea_id}")).json()
    assert idea["category"]["retired"] is True
    assert idea["category"]["name_en"] == "Traffic and roads"

    refused = await client.post("/api/v1/purposes/havnen/ideas", headers=bearer(author),
                                json={"title": "Endnu en god idé", "body": "Tak.",
                                      "category": "trafik"})
    assert refused.status_code == 400
    assert _field(refused) == ("category", "category_retired")
    # An edit that keeps the retired category is fine.
    edited = await client.patch(f"/api/v1/ideas/{idea_id}", headers=bearer(author),
                                json={"title": "Cykelsti langs havnen", "category": "trafik"})
    assert edited.status_code == 200, edited.text

    offered = await client.patch("/api/v1/purposes/havnen/categories/trafik",
                                 headers=bearer(admin), json={"retired": False})
    assert offered.json()["retired"] is False and offered.json()["retired_at"] is None


async def test_lists_and_search_filter_by_category(client, db):
    await make_purpose(db, slug="havnen")
    _, admin = await make_user(db, role="admin")
    _, author = await make_user(db)
    await add_category(client, admin, "havnen", "trafik", "Trafik", "Traffic")
    await add_category(client, admin, "havnen", "groent", "Grønt", "Green")
    for title, category in [("Cykelsti langs vandet", "trafik"),
                            ("Flere træer ved vandet", "groent"),
                            ("Bedre busser til byen", "trafik"),
                            ("Bænke ved vandet", None)]:
        response = await client.post("/api/v1/purposes/havnen/ideas", headers=bearer(author),
                                     json={"title": title, "body": "Tak.",
                                           "category": category})
        assert response.status_code == 201

    for sort in ("top_month", "top", "hot", "new"):
        assert sorted(await _ideas(client, "havnen", sort=sort, category="trafik")) == [
            "Bedre busser til byen", "Cykelsti langs vandet"]
    assert await _ideas(client, "havnen", q="vandet", category="trafik") == [
        "Cykelsti langs vandet"]
    assert len(await _ideas(client, "havnen")) == 4
    # A retired category still filters.
    await client.patch("/api/v1/purposes/havnen/categories/groent", headers=bearer(admin),
                       json={"retired": True})
    assert await _ideas(client, "havnen", category="groent") == ["Flere træer ved vandet"]

    unknown = await client.get("/api/v1/purposes/havnen/ideas", params={"category": "nej"})
    assert unknown.status_code == 400
    assert unknown.json()["extra"][0]["key"] == "category"
    assert unknown.json()["extra"][0]["source"] == "query"


async def test_a_category_that_cannot_be_a_slug_is_refused_not_a_500(client, db):
    await make_purpose(db, slug="havnen")
    _, author = await make_user(db)
    for bad in ("tra\x00fik", "Ikke En Slug", "x" * 61):
        posted = await client.post("/api/v1/purposes/havnen/ideas", headers=bearer(author),
                                   json={"title": "En idé med et underligt valg", "body": "Tak.",
                                         "category": bad})
        assert posted.status_code == 400, posted.text
        assert posted.json()["extra"][0]["key"] == "category"
        listed = await client.get("/api/v1/purposes/havnen/ideas", params={"category": bad})
        assert listed.status_code == 400
        assert listed.json()["extra"][0]["key"] == "category"
    missing = await client.get("/api/v1/purposes/havnen/categories/tra%00fik")
    assert missing.status_code in (400, 404)
