"""Who may export, what a month without a promotion answers, and how the files are sent."""

from __future__ import annotations

import csv
import io

import pytest

from tests.exports.scenarios import MONTH, danish, many
from tests.factories import bearer, make_user
from tests.promotion.scene import Scene, change_status, cph

URL = "/api/v1/exports/top-ideas"


@pytest.mark.parametrize(("role", "status"), [("resident", 403), ("moderator", 403),
                                              ("staff", 200), ("admin", 200)])
async def test_only_staff_and_admins_export(client, db, role, status):
    slug = await danish(client, db)
    _, token = await make_user(db, role=role)
    response = await client.get(URL, headers=bearer(token),
                                params={"month": MONTH, "purpose": slug, "format": "json"})
    assert response.status_code == status, response.text


async def test_anonymous_is_401(client):
    assert (await client.get(URL, params={"month": MONTH})).status_code == 401


async def test_a_month_without_a_promotion_or_an_unknown_purpose_is_404(client, db):
    slug = await danish(client, db)
    _, token = await make_user(db, role="staff")
    for params in ({"month": "2026-08", "purpose": slug}, {"month": "2026-08"},
                   {"month": MONTH, "purpose": "findes-ikke"}):
        response = await client.get(URL, headers=bearer(token), params=params)
        assert response.status_code == 404, params


@pytest.mark.parametrize(("params", "field"), [
    ({"month": "2026-9"}, "month"), ({"month": "september"}, "month"), ({}, "month"),
    ({"month": MONTH, "format": "pdf"}, "format"),
])
async def test_bad_input_names_the_field(client, db, params, field):
    _, token = await make_user(db, role="staff")
    response = await client.get(URL, headers=bearer(token), params=params)
    assert response.status_code == 400, response.text
    error = response.json()
    # Named in "extra" when the value is bad; Litestar names a missing one in "detail".
    assert field in str(error.get("extra")) or field in error["detail"], response.text


@pytest.mark.parametrize(("fmt", "media_type", "name"), [
    ("csv", "text/csv; header=present; charset=utf-8", "top-ideas-2026-09-aebler.csv"),
    ("csv-excel", "text/csv; header=present; charset=utf-8", "top-ideas-2026-09-aebler.csv"),
    ("json", "application/json", "top-ideas-2026-09-aebler.json"),
    ("xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
     "top-ideas-2026-09-aebler.xlsx"),
])
async def test_the_download_is_named_and_typed(client, db, fmt, media_type, name):
    slug = await danish(client, db)
    _, token = await make_user(db, role="staff")
    response = await client.get(URL, headers=bearer(token),
                                params={"month": MONTH, "purpose": slug, "format": fmt})
    assert response.headers["content-type"] == media_type
    assert response.headers["content-disposition"] == f'attachment; filename="{name}"'


async def test_without_a_purpose_every_purpose_is_exported_in_slug_order(client, db):
    await many(client, db)
    other = await Scene(client, db).build(slug="aaa-foerst", voters=1)
    idea = await other.idea("Den første purpose i alfabetet", cph(2026, 9, 4))
    await other.votes(idea, [0], cph(2026, 9, 5))
    assert (await other.promote(MONTH)).status_code == 200
    _, token = await make_user(db, role="staff")
    response = await client.get(URL, headers=bearer(token), params={"month": MONTH})
    assert response.status_code == 200
    assert response.headers["content-disposition"] == 'attachment; filename="top-ideas-2026-09.csv"'
    rows = list(csv.DictReader(io.StringIO(response.text, newline="")))
    assert [(r["purpose"], r["rank"]) for r in rows] == [
        ("aaa-foerst", "1"), *(("mange", str(rank)) for rank in range(1, 9))]


async def test_hidden_ideas_are_left_out_for_staff_but_not_for_admins(client, db, app):
    await many(client, db)
    admin, admin_token = await make_user(db, role="admin")
    await change_status(app, 9, "promoted", "hidden", by=admin.id, trigger="hidden")
    _, staff = await make_user(db, role="staff")
    params = {"month": MONTH, "format": "json"}
    seen_by_staff = (await client.get(URL, headers=bearer(staff), params=params)).json()
    assert [i["rank"] for i in seen_by_staff["items"]] == [1, 3, 4, 5, 6, 7, 8]
    seen_by_admin = (await client.get(URL, headers=bearer(admin_token), params=params)).json()
    assert [i["rank"] for i in seen_by_admin["items"]] == list(range(1, 9))


async def test_the_stream_reads_on_a_connection_of_its_own(client, db, app):
    """The request's connection is back in the pool before a streamed body is sent (a
    stream reading from it would fail: "connection has been released back to the pool"),
    and the stream's own connection goes back when it ends."""
    await many(client, db)
    _, token = await make_user(db, role="staff")
    pool = app.state.services.pool
    before = pool.get_size() - pool.get_idle_size()
    for fmt in ("csv", "json", "xlsx"):
        response = await client.get(URL, headers=bearer(token),
                                    params={"month": MONTH, "format": fmt})
        assert response.status_code == 200 and response.content
    # Every connection the streams took went back.
    assert pool.get_size() - pool.get_idle_size() == before


async def test_the_download_is_described_in_each_format(client):
    description = (await client.get("/schema/openapi.json")).json()
    answer = description["paths"][URL]["get"]["responses"]["200"]
    assert set(answer["content"]) == {
        "text/csv", "application/json",
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}
    assert answer["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/TopIdeas"}
    assert "Content-Disposition" in answer["headers"]
