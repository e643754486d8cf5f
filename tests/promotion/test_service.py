"""The promotion rule and its once-only recording, against real PostgreSQL."""

from __future__ import annotations

import asyncio
from datetime import UTC, date, datetime

import pytest

from ideabox.platform.errors import Conflict, NotFound
from ideabox.promotion.service import get_promotion, promote_on_own
from tests.factories import bearer
from tests.promotion.scene import Scene, cph

SEPTEMBER = date(2026, 9, 1)
AFTER = datetime(2026, 10, 2, tzinfo=UTC)


@pytest.fixture
async def scene(client, db) -> Scene:
    return await Scene(client, db).build(promote_top_n=4)


async def test_the_rule_ranks_by_month_votes_then_total_then_age_then_id(services, scene, app, db):
    a = await scene.idea("Flere bænke ved havnen", cph(2026, 8, 1))
    b = await scene.idea("Lys på stien langs vandet", cph(2026, 8, 1))
    c = await scene.idea("Badebro ved Sandkaj", cph(2026, 8, 1))
    d = await scene.idea("Cykelparkering ved færgen", cph(2026, 8, 1))  # same time as c
    e = await scene.idea("Legeplads på kajen", cph(2026, 8, 2))  # like c and d, but later
    f = await scene.idea("Kun stemmer i oktober", cph(2026, 8, 1))
    g = await scene.idea("Trukket tilbage men populær", cph(2026, 8, 1))
    await scene.votes(a, range(3), cph(2026, 9, 10))
    await scene.votes(b, range(2), cph(2026, 9, 10))
    await scene.votes(b, [2, 3], cph(2026, 8, 20))  # older votes count toward the total
    for idea in (c, d, e):
        await scene.votes(idea, range(2), cph(2026, 9, 10))
        await scene.votes(idea, [2], cph(2026, 8, 20))
    await scene.votes(f, range(5), cph(2026, 10, 1, 0, 30))  # just after the month ended
    await scene.votes(g, range(5), cph(2026, 9, 10))
    withdrawn = await scene.client.post(f"/api/v1/ideas/{g}/withdraw",
                                        headers=bearer(scene.author_token))
    assert withdrawn.status_code == 200

    result = await promote_on_own(services, scene.slug, SEPTEMBER, trigger="promotion:cli",
                                  now=AFTER)

    assert [(i.rank, i.idea_id, i.votes_in_month, i.total_votes) for i in result.items] == [
        (1, a, 3, 3), (2, b, 2, 4), (3, c, 2, 3), (4, d, 2, 3)]
    assert result.month == "2026-09" and result.purpose == scene.slug
    statuses = dict(await db.fetch("SELECT id, status FROM ideas"))
    assert [statuses[i] for i in (a, b, c, d, e, f, g)] == [
        "promoted"] * 4 + ["open", "open", "withdrawn"]


async def test_month_boundaries_are_midnight_in_the_purposes_time_zone(services, scene, app):
    early = await scene.idea("Stemt lige efter midnat", cph(2026, 8, 1))
    late = await scene.idea("Stemt lige før midnat", cph(2026, 8, 1))
    # 00:30 on 1 September in Copenhagen is still 31 August in UTC.
    await scene.votes(early, range(2), cph(2026, 9, 1, 0, 30))
    await scene.votes(late, range(3), cph(2026, 9, 30, 23, 59))
    outside = await scene.idea("Stemt i august", cph(2026, 8, 1))
    await scene.votes(outside, range(6), cph(2026, 8, 31, 23, 59))
    result = await promote_on_own(services, scene.slug, SEPTEMBER, trigger="promotion:cli",
                                  now=AFTER)
    assert [(i.idea_id, i.votes_in_month) for i in result.items] == [(late, 3), (early, 2)]


async def test_min_votes_and_retracted_votes(services, client, db, app):
    scene = await Scene(client, db).build(slug="min-stemmer", promote_top_n=3, min_votes=3)
    kept = await scene.idea("Tre stemmer holder", cph(2026, 8, 1))
    lost = await scene.idea("En stemme trukket tilbage", cph(2026, 8, 1))
    await scene.votes(kept, range(3), cph(2026, 9, 5))
    await scene.votes(lost, range(3), cph(2026, 9, 5))
    voter_token = scene.voters[0][1]
    retracted = await client.delete(f"/api/v1/ideas/{lost}/vote", headers=bearer(voter_token))
    assert retracted.status_code == 200
    result = await promote_on_own(services, scene.slug, SEPTEMBER, trigger="promotion:cli",
                                  now=AFTER)
    assert [i.idea_id for i in result.items] == [kept]


async def test_min_votes_zero_lets_ideas_without_votes_qualify(services, client, db, app):
    scene = await Scene(client, db).build(slug="uden-stemmer", promote_top_n=2, min_votes=0)
    first = await scene.idea("Ingen stemmer men tidligst", cph(2026, 8, 1))
    await scene.idea("Ingen stemmer og senere", cph(2026, 8, 2))
    await scene.idea("Skrevet efter måneden", cph(2026, 10, 1, 8))
    voted = await scene.idea("En stemme", cph(2026, 8, 3))
    await scene.votes(voted, [0], cph(2026, 9, 2))
    result = await promote_on_own(services, scene.slug, SEPTEMBER, trigger="promotion:cli",
                                  now=AFTER)
    assert [(i.idea_id, i.votes_in_month) for i in result.items] == [(voted, 1), (first, 0)]


async def test_a_run_is_recorded_with_history_and_answered_again_unchanged(services, scene, app,
                                                                           db):
    idea = await scene.idea("Affaldsspande ved broen", cph(2026, 8, 1))
    await scene.votes(idea, range(2), cph(2026, 9, 3))
    first = await promote_on_own(services, scene.slug, SEPTEMBER, trigger="promotion:cli",
                                 now=AFTER)
    again = await promote_on_own(services, scene.slug, SEPTEMBER,
                                 trigger="promotion:schedule", now=AFTER)
    assert again == first
    assert first.trigger == "promotion:cli"
    run = await db.fetchrow("SELECT * FROM promotion_runs")
    assert run["trigger"] == "promotion:cli" and run["triggered_by"] is None
    assert (run["promote_top_n"], run["min_votes"]) == (4, 1)
    history = await db.fetch("SELECT from_status, to_status, trigger, changed_by "
                             "FROM idea_status_changes WHERE idea_id = $1 ORDER BY id", idea)
    assert [tuple(h) for h in history] == [(None, "open", "posted", scene.author.id),
                                           ("open", "promoted", "promotion:cli", None)]
    assert await db.fetchval("SELECT count(*) FROM promotions") == 1


async def test_a_month_where_nothing_qualified_is_still_recorded(services, scene, app, db):
    await scene.idea("Ingen stemte på mig", cph(2026, 8, 1))
    result = await promote_on_own(services, scene.slug, SEPTEMBER, trigger="promotion:cli",
                                  now=AFTER)
    assert result.items == []
    assert await db.fetchval("SELECT count(*) FROM promotion_runs") == 1
    async with app.state.services.pool.acquire() as conn:
        recorded = await get_promotion(conn, None, scene.slug, SEPTEMBER)
    assert recorded.items == [] and recorded.ran_at == result.ran_at


async def test_a_month_that_has_not_ended_is_refused(services, scene, app, db):
    # 23:30 UTC on 30 September is already October in Copenhagen: September has ended.
    ended = datetime(2026, 9, 30, 22, 30, tzinfo=UTC)
    with pytest.raises(Conflict) as refused:
        await promote_on_own(services, scene.slug, date(2026, 10, 1), trigger="promotion:cli",
                             now=ended)
    assert refused.value.extra[0]["key"] == "month"
    await promote_on_own(services, scene.slug, SEPTEMBER, trigger="promotion:cli", now=ended)
    assert await db.fetchval("SELECT count(*) FROM promotion_runs") == 1


async def test_an_unknown_purpose_or_month_is_not_found(services, scene, app):
    with pytest.raises(NotFound):
        await promote_on_own(services, "findes-ikke", SEPTEMBER, trigger="promotion:cli",
                             now=AFTER)
    async with app.state.services.pool.acquire() as conn:
        with pytest.raises(NotFound):
            await get_promotion(conn, None, scene.slug, SEPTEMBER)


async def test_concurrent_runs_record_exactly_one_result(services, scene, app, db):
    ideas = [await scene.idea(f"Idé til samtidighed {n}", cph(2026, 8, 1)) for n in range(5)]
    for n, idea in enumerate(ideas):
        await scene.votes(idea, range(n + 1), cph(2026, 9, 15))

    async def direct(trigger):
        return await promote_on_own(services, scene.slug, SEPTEMBER, trigger=trigger, now=AFTER)

    async def over_http():
        return await scene.promote("2026-09")

    outcomes = await asyncio.gather(
        *(direct("promotion:cli") for _ in range(4)),
        *(direct("promotion:schedule") for _ in range(2)),
        *(over_http() for _ in range(4)))
    direct_results = outcomes[:6]
    responses = outcomes[6:]
    assert all(r.status_code == 200 for r in responses), [r.text for r in responses]
    bodies = [r.json() for r in responses]
    expected = [ideas[4], ideas[3], ideas[2], ideas[1]]
    assert all([i.idea_id for i in r.items] == expected for r in direct_results)
    assert all([i["idea_id"] for i in b["items"]] == expected for b in bodies)
    assert len({r.ran_at for r in direct_results}) == 1
    assert await db.fetchval("SELECT count(*) FROM promotion_runs") == 1
    assert await db.fetchval("SELECT count(*) FROM promotions") == 4
    changes = await db.fetchval(
        "SELECT count(*) FROM idea_status_changes WHERE to_status = 'promoted'")
    assert changes == 4
    # Each person is told once per promoted idea, however many runs raced.
    duplicates = await db.fetchval(
        "SELECT count(*) FROM (SELECT user_id, idea_id FROM notifications "
        "GROUP BY user_id, idea_id HAVING count(*) > 1) d")
    assert duplicates == 0
