"""Purposes through the JSON API."""

from __future__ import annotations

import pytest

from tests.factories import bearer, make_user

NEW = {"slug": "regler-vi-kan-afskaffe", "title": "Regler vi kan afskaffe",
       "statement": "Hvilke regler **spilder** din tid?", "audience": "staff",
       "promote_top_n": 5, "min_votes": 2}


async def test_an_admin_creates_and_everyone_reads_a_purpose(client, db):
    _, token = await make_user(db, role="admin")
    created = await client.post("/api/v1/purposes", json=NEW, headers=bearer(token))
    assert created.status_code == 201, created.text
    purpose = created.json()
    assert purpose["slug"] == NEW["slug"]
    assert purpose["statement_html"] == "<p>Hvilke regler <strong>spilder</strong> din tid?</p>\n"
    assert purpose["timezone"] == "Europe/Copenhagen"
    assert purpose["idea_count"] == 0
    one = await client.get(f"/api/v1/purposes/{NEW['slug']}")
    assert one.status_code == 200
    assert one.json()["audience"] == "staff"
    listing = await client.get("/api/v1/purposes")
    assert listing.json()["next_cursor"] is None
    assert [p["slug"] for p in listing.json()["items"]] == [NEW["slug"]]


async def test_only_admins_create_purposes(client, db):
    _, token = await make_user(db, role="staff")
    response = await client.post("/api/v1/purposes", json=NEW, headers=bearer(token))
    assert response.status_code == 403
    assert (await client.post("/api/v1/purposes", json=NEW)).status_code == 401


async def test_a_taken_slug_is_a_conflict(client, db):
    _, token = await make_user(db, role="admin")
    first = await client.post("/api/v1/purposes", json=NEW, headers=bearer(token))
    assert first.status_code == 201
    again = await client.post("/api/v1/purposes", json=NEW, headers=bearer(token))
    assert again.status_code == 409


@pytest.mark.parametrize(("change", "field"), [
    ({"slug": "Not A Slug"}, "slug"),
    ({"audience": "aliens"}, "audience"),
    ({"promote_top_n": 0}, "promote_top_n"),
    ({"min_votes": -1}, "min_votes"),
    ({"timezone": "Mars/Olympus"}, "timezone"),
    ({"title": "   x   "}, "title"),
])
async def test_bad_fields_are_named(client, db, change, field):
    _, token = await make_user(db, role="admin")
    response = await client.post("/api/v1/purposes", json={**NEW, **change},
                                 headers=bearer(token))
    assert response.status_code == 400
    assert response.json()["extra"][0]["key"] == field


async def test_an_admin_changes_a_purpose(client, db):
    _, token = await make_user(db, role="admin")
    await client.post("/api/v1/purposes", json=NEW, headers=bearer(token))
    response = await client.patch(f"/api/v1/purposes/{NEW['slug']}", headers=bearer(token),
                                  json={"promote_top_n": 2, "statement": "Ny tekst"})
    assert response.status_code == 200
    assert response.json()["promote_top_n"] == 2
    assert response.json()["statement_html"] == "<p>Ny tekst</p>\n"
    unknown = await client.patch("/api/v1/purposes/nope", headers=bearer(token), json={})
    assert unknown.status_code == 404
    slug_change = await client.patch(f"/api/v1/purposes/{NEW['slug']}", headers=bearer(token),
                                     json={"slug": "other"})
    assert slug_change.status_code == 400


async def test_next_promotion_is_just_after_the_month_ends(client, db):
    _, token = await make_user(db, role="admin")
    await client.post("/api/v1/purposes", json=NEW, headers=bearer(token))
    purpose = (await client.get(f"/api/v1/purposes/{NEW['slug']}")).json()
    # Midnight Copenhagen time plus five minutes, written in UTC.
    assert purpose["next_promotion_at"].endswith(("T23:05:00Z", "T22:05:00Z"))
