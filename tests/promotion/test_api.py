"""The promotion through the JSON API."""

from __future__ import annotations

import pytest

from tests.factories import bearer, make_user
from tests.promotion.scene import Scene, change_status, cph


@pytest.fixture
async def scene(client, db) -> Scene:
    return await Scene(client, db).build(promote_top_n=2)


async def test_an_admin_promotes_a_month_and_anyone_reads_it(scene, client, db):
    top = await scene.idea("Flere træer på torvet", cph(2026, 9, 2))
    second = await scene.idea("Vandpost ved legepladsen", cph(2026, 9, 3))
    await scene.idea("Ingen stemmer her", cph(2026, 9, 4))
    await scene.votes(top, range(3), cph(2026, 9, 20))
    await scene.votes(second, range(1), cph(2026, 9, 21))

    response = await scene.promote("2026-09")
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["purpose"] == scene.slug and body["month"] == "2026-09"
    assert body["trigger"] == "promotion:api"
    assert body["items"] == [
        {"rank": 1, "idea_id": top, "title": "Flere træer på torvet", "votes_in_month": 3,
         "total_votes": 3},
        {"rank": 2, "idea_id": second, "title": "Vandpost ved legepladsen",
         "votes_in_month": 1, "total_votes": 1},
    ]
    change = await db.fetchrow("SELECT trigger, changed_by FROM idea_status_changes "
                               "WHERE idea_id = $1 AND to_status = 'promoted'", top)
    assert tuple(change) == ("promotion:api", scene.admin.id)
    run = await db.fetchrow("SELECT trigger, triggered_by FROM promotion_runs")
    assert tuple(run) == ("promotion:api", scene.admin.id)

    again = await scene.promote("2026-09")
    assert again.status_code == 200 and again.json() == body
    public = await client.get(f"/api/v1/purposes/{scene.slug}/promotions/2026-09")
    assert public.status_code == 200 and public.json() == body
    idea = (await client.get(f"/api/v1/ideas/{top}")).json()
    assert idea["status"] == "promoted" and idea["promoted_month"] == "2026-09"


async def test_a_month_not_promoted_is_404(scene, client):
    missing = await client.get(f"/api/v1/purposes/{scene.slug}/promotions/2026-09")
    assert missing.status_code == 404
    unknown = await client.get("/api/v1/purposes/findes-ikke/promotions/2026-09")
    assert unknown.status_code == 404
    bad = await client.get(f"/api/v1/purposes/{scene.slug}/promotions/september")
    assert bad.status_code == 400
    assert bad.json()["extra"][0] == {"key": "month", "message": "must look like YYYY-MM",
                                      "source": "path", "code": "month_format"}


async def test_a_month_that_has_not_ended_is_a_conflict(scene, client, db):
    for month in ("2026-11", "2027-01"):  # this month (the clock says November 2026), later
        response = await scene.promote(month)
        assert response.status_code == 409, response.text
        assert response.json()["extra"][0]["key"] == "month"
    assert await db.fetchval("SELECT count(*) FROM promotion_runs") == 0


async def test_only_admins_promote(scene, client, db):
    for role in ("resident", "staff", "moderator"):
        _, token = await make_user(db, role=role)
        response = await scene.promote("2026-09", token=token)
        assert response.status_code == 403, role
    anonymous = await client.post(f"/api/v1/purposes/{scene.slug}/promotions",
                                  json={"month": "2026-09"})
    assert anonymous.status_code == 401
    assert await db.fetchval("SELECT count(*) FROM promotion_runs") == 0


@pytest.mark.parametrize("body", [{"month": "2026-13"}, {"month": "26-09"}, {"month": 202609},
                                  {}, {"month": "2026-09", "purpose": "x"}])
async def test_bad_input_names_the_field(scene, body):
    response = await scene.client.post(f"/api/v1/purposes/{scene.slug}/promotions", json=body,
                                       headers=bearer(scene.admin_token))
    assert response.status_code == 400, response.text
    assert "month" in response.text or "purpose" in response.text


async def test_a_hidden_promoted_idea_leaves_the_public_result(scene, client, app):
    idea = await scene.idea("Skjult efter udvælgelsen", cph(2026, 9, 2))
    await scene.votes(idea, range(2), cph(2026, 9, 3))
    assert (await scene.promote("2026-09")).status_code == 200
    await change_status(app, idea, "promoted", "hidden", by=scene.admin.id, trigger="hidden")
    public = await client.get(f"/api/v1/purposes/{scene.slug}/promotions/2026-09")
    assert public.json()["items"] == []
    as_admin = await client.get(f"/api/v1/purposes/{scene.slug}/promotions/2026-09",
                                headers=bearer(scene.admin_token))
    assert [i["idea_id"] for i in as_admin.json()["items"]] == [idea]
