"""Lists: the four sorts, search, cursors — the same from Redis and from PostgreSQL."""

from __future__ import annotations

import pytest

from ideabox.votes.counts import recount
from ideabox.votes.reconcile import Reconciler
from tests.conftest import NOW
from tests.factories import bearer, make_purpose, make_user, post_idea


async def _all(client, slug, **params) -> list[int]:
    ids, cursor = [], None
    while True:
        query = {**params, "limit": 2} | ({"cursor": cursor} if cursor else {})
        response = await client.get(f"/api/v1/purposes/{slug}/ideas", params=query)
        assert response.status_code == 200, response.text
        page = response.json()
        ids += [i["id"] for i in page["items"]]
        cursor = page["next_cursor"]
        if cursor is None:
            return ids


@pytest.fixture
async def ranked(client, db, app):
    """Five ideas whose orders differ by sort:

    idea  posted        votes this month  votes earlier
    a     60 days ago   1                 6
    b     30 days ago   3                 0
    c     20 days ago   3                 2
    d     2 days ago    2                 0
    e     1 hour ago    0                 0
    """
    purpose = await make_purpose(db)
    _, author = await make_user(db)
    voters = [await make_user(db) for _ in range(8)]
    ideas = {}
    for name, age in [("a", "60 days"), ("b", "30 days"), ("c", "20 days"), ("d", "2 days"),
                      ("e", "1 hour")]:
        idea = await post_idea(client, author, purpose.slug, title=f"Idé {name} om noget")
        await db.execute(f"UPDATE ideas SET created_at = $2::timestamptz - interval '{age}' "
                         "WHERE id = $1", idea["id"], NOW)
        ideas[name] = idea["id"]
    plan = {"a": (1, 6), "b": (3, 0), "c": (3, 2), "d": (2, 0), "e": (0, 0)}
    for name, (this_month, earlier) in plan.items():
        for n in range(this_month):
            await client.put(f"/api/v1/ideas/{ideas[name]}/vote", headers=bearer(voters[n][1]))
        for n in range(this_month, this_month + earlier):
            await db.execute(
                "INSERT INTO votes (idea_id, voter_id, created_at) "
                "VALUES ($1, $2, date_trunc('month', $3 AT TIME ZONE 'Europe/Copenhagen') "
                "AT TIME ZONE 'Europe/Copenhagen' - interval '3 days')",
                ideas[name], voters[n][0].id, NOW)
    await recount(db, list(ideas.values()))
    await Reconciler(app.state.services).refresh_everything()
    return purpose.slug, ideas


EXPECTED = {
    # month votes, then total votes, then the older idea
    "top_month": "cbdae",
    "top": "acbde",
    # hot: log10(votes) − age in weeks: d (2 days, 2 votes) 0.30 − 0.29 beats e (an hour,
    # no votes) 0 − 0.01, which beats c (20 days, 5 votes) 0.70 − 2.86
    "hot": "decba",
    "new": "edcba",
}


@pytest.mark.parametrize("sort", list(EXPECTED))
async def test_each_sort_pages_through_in_order(client, ranked, sort):
    slug, ideas = ranked
    expected = [ideas[n] for n in EXPECTED[sort]]
    assert await _all(client, slug, sort=sort) == expected


@pytest.mark.parametrize("sort", list(EXPECTED))
async def test_postgres_ranks_like_redis(client, ranked, app, sort):
    slug, _ideas = ranked
    from_redis = await _all(client, slug, sort=sort)
    app.state.services.cache.trusted = False  # as while Redis is down
    assert await _all(client, slug, sort=sort) == from_redis


async def test_the_default_sort_is_this_months_votes(client, ranked):
    slug, ideas = ranked
    page = (await client.get(f"/api/v1/purposes/{slug}/ideas")).json()
    assert [i["id"] for i in page["items"]] == [ideas[n] for n in "cbdae"]
    first = page["items"][0]
    assert (first["votes"], first["votes_this_month"]) == (5, 3)


async def test_danish_search_finds_inflected_words(client, db):
    purpose = await make_purpose(db)
    _, token = await make_user(db)
    bikes = await post_idea(client, token, purpose.slug, title="Flere cykelstier ved havnen",
                            body="Cyklerne mangler plads.")
    await post_idea(client, token, purpose.slug, title="Bedre gadebelysning",
                    body="Lamperne er for svage om vinteren.")
    found = await client.get(f"/api/v1/purposes/{purpose.slug}/ideas", params={"q": "cykelsti"})
    assert [i["id"] for i in found.json()["items"]] == [bikes["id"]]
    found = await client.get(f"/api/v1/purposes/{purpose.slug}/ideas",
                             params={"q": "cyklen", "sort": "new"})
    assert [i["id"] for i in found.json()["items"]] == [bikes["id"]]
    none = await client.get(f"/api/v1/purposes/{purpose.slug}/ideas", params={"q": "svømmehal"})
    assert none.json() == {"items": [], "next_cursor": None}


async def test_status_filter(client, db):
    purpose = await make_purpose(db)
    _, token = await make_user(db)
    first = await post_idea(client, token, purpose.slug)
    await post_idea(client, token, purpose.slug)
    await db.execute("UPDATE ideas SET status = 'promoted' WHERE id = $1", first["id"])
    page = await client.get(f"/api/v1/purposes/{purpose.slug}/ideas", params={"status": "promoted"})
    assert [i["id"] for i in page.json()["items"]] == [first["id"]]
    hidden = await client.get(f"/api/v1/purposes/{purpose.slug}/ideas", params={"status": "hidden"})
    assert hidden.status_code == 400


async def test_the_status_filter_is_described_with_the_statuses_a_list_shows(client, db):
    purpose = await make_purpose(db)
    description = (await client.get("/schema/openapi.json")).json()
    parameters = description["paths"]["/api/v1/purposes/{slug}/ideas"]["get"]["parameters"]
    described = next(p for p in parameters if p["name"] == "status")["schema"]["enum"]
    shown = ["open", "promoted", "under_review", "accepted", "implemented", "rejected"]
    assert [s for s in described if s is not None] == shown
    for status in shown:
        response = await client.get(f"/api/v1/purposes/{purpose.slug}/ideas",
                                    params={"status": status})
        assert response.status_code == 200, (status, response.text)
    for status in ("withdrawn", "hidden"):
        response = await client.get(f"/api/v1/purposes/{purpose.slug}/ideas",
                                    params={"status": status})
        assert response.status_code == 400
        assert response.json()["extra"][0]["key"] == "status"


@pytest.mark.parametrize(("params", "field"), [
    ({"limit": 0}, "limit"), ({"limit": 101}, "limit"), ({"limit": "many"}, "limit"),
    ({"sort": "best"}, "sort"), ({"cursor": "!!!"}, "cursor"), ({"cursor": "e30"}, "cursor"),
    ({"q": "x" * 201}, "q"),
])
async def test_bad_list_parameters_are_400_naming_the_field(client, db, params, field):
    purpose = await make_purpose(db)
    response = await client.get(f"/api/v1/purposes/{purpose.slug}/ideas", params=params)
    assert response.status_code == 400, response.text
    assert response.json()["extra"][0]["key"] == field


async def test_a_cursor_belongs_to_its_sort(client, db):
    purpose = await make_purpose(db)
    _, token = await make_user(db)
    for _ in range(3):
        await post_idea(client, token, purpose.slug)
    page = (await client.get(f"/api/v1/purposes/{purpose.slug}/ideas",
                             params={"sort": "new", "limit": 1})).json()
    other = await client.get(f"/api/v1/purposes/{purpose.slug}/ideas",
                             params={"sort": "top", "cursor": page["next_cursor"]})
    assert other.status_code == 400


@pytest.mark.parametrize("sort", list(EXPECTED))
async def test_a_search_lists_in_every_sort(client, ranked, sort):
    # Every title holds "idé"; a search keeps the chosen order, from the API and the page.
    slug, ideas = ranked
    expected = [ideas[n] for n in EXPECTED[sort]]
    assert await _all(client, slug, sort=sort, q="idé") == expected
    shown = await client.get(f"/purposes/{slug}", params={"sort": sort, "q": "idé"})
    assert shown.status_code == 200, shown.text
    positions = [shown.text.index(f'href="/ideas/{idea_id}"') for idea_id in expected]
    assert positions == sorted(positions)
