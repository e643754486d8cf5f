"""The overview's counting: exact figures on a fixed history, late changes counted
again, the rollup equal to a full recount, and rounds that can run twice."""

from __future__ import annotations

from datetime import timedelta

import pytest

from ideabox.overview.counting import refresh_overview
from ideabox.overview.service import read_overview
from tests.factories import bearer
from tests.overview.scene import HAVNEN, OVERALL, SKOLEN, Town
from tests.promotion.scene import cph


@pytest.fixture
async def town(client, db, clock) -> Town:
    return await Town(client, db, clock).build()


async def figures_of(services, town, slug, months=3):
    admin = town.people["admin"][0]
    async with services.pool.acquire() as conn:
        overview = await read_overview(conn, admin, slug, months=months, now=services.clock.now())
    return {m.month: {k: v for k, v in _dict(m).items() if k not in ("month", "computed_at")}
            for m in overview.months}


def _dict(struct):
    return {name: getattr(struct, name) for name in struct.__struct_fields__}


async def rollup(db):
    rows = await db.fetch("SELECT * FROM overview_months ORDER BY purpose_id, month")
    return [{k: v for k, v in dict(r).items() if k != "computed_at"} for r in rows]


async def test_the_figures_of_a_fixed_history_are_exact(town, services, clock):
    assert await refresh_overview(services.pool, clock.now()) is not None
    assert await figures_of(services, town, "havnen") == HAVNEN
    assert await figures_of(services, town, "skolen") == SKOLEN
    assert await figures_of(services, town, None) == OVERALL


async def test_nothing_is_shown_before_the_first_count(town, services):
    admin = town.people["admin"][0]
    async with services.pool.acquire() as conn:
        overview = await read_overview(conn, admin, None, months=12, now=services.clock.now())
    assert overview.months == [] and overview.as_of is None


async def test_late_changes_are_counted_again_and_equal_a_full_recount(town, services, clock,
                                                                        client, db):
    await refresh_overview(services.pool, clock.now())
    clock.advance(timedelta(hours=1))
    # Cai takes back a September vote; Bo becomes staff; the October idea is published.
    await town.at(clock.now(), "DELETE", f"/api/v1/ideas/{town.ideas['Bænke ved vandet']}/vote",
                  "cai")
    response = await client.patch(f"/api/v1/users/{town.people['bo'][0].id}",
                                  json={"role": "staff"}, headers=bearer(town.token("admin")))
    assert response.status_code == 200, response.text
    await db.execute("UPDATE ideas SET status = 'open' WHERE id = $1",
                     town.ideas["Afventer en moderator"])
    await db.execute("INSERT INTO idea_status_changes (idea_id, from_status, to_status, "
                     "trigger, created_at) VALUES ($1, 'pending_review', 'open', 'review', $2)",
                     town.ideas["Afventer en moderator"], clock.now())
    clock.advance(timedelta(minutes=10))
    assert await refresh_overview(services.pool, clock.now())
    september = (await figures_of(services, town, "havnen"))["2026-09"]
    assert (september["votes"], september["participants"], september["residents"],
            september["staff"]) == (3, 4, 2, 2)
    assert (await figures_of(services, town, "havnen"))["2026-10"]["ideas"] == 2
    assert (await figures_of(services, town, None))["2026-09"]["votes"] == 4
    counted = await rollup(db)

    await refresh_overview(services.pool, clock.now(), everything=True)
    assert await rollup(db) == counted


async def test_a_retraction_alone_counts_its_month_again(town, services, clock, db):
    await refresh_overview(services.pool, clock.now())
    clock.advance(timedelta(hours=1))
    await town.at(clock.now(), "DELETE", f"/api/v1/ideas/{town.ideas['Cykelparkering ved skolen']}"
                  "/vote", "bo")
    clock.advance(timedelta(minutes=10))
    await refresh_overview(services.pool, clock.now())
    assert (await figures_of(services, town, "skolen"))["2026-09"]["votes"] == 0
    # Bo still voted in havnen that month: still a participant overall.
    overall = (await figures_of(services, town, None))["2026-09"]
    assert (overall["votes"], overall["participants"]) == (4, 5)


async def test_a_round_again_counts_only_the_month_under_way(town, services, clock, db):
    await refresh_overview(services.pool, clock.now())
    first = {(r["purpose_id"], r["month"]): r["computed_at"]
             for r in await db.fetch("SELECT purpose_id, month, computed_at FROM overview_months")}
    counted = await rollup(db)
    clock.advance(timedelta(minutes=10))
    # Two purposes and all of them together: three rows, each of November.
    assert await refresh_overview(services.pool, clock.now()) == 3
    assert await rollup(db) == counted
    again = {(r["purpose_id"], r["month"]): r["computed_at"]
             for r in await db.fetch("SELECT purpose_id, month, computed_at FROM overview_months")}
    changed = {key for key in first if first[key] != again[key]}
    assert {month.isoformat() for _, month in changed} == {"2026-11-01"}
    assert len(changed) == 3


async def test_a_month_just_over_is_counted_once_more(town, services, clock):
    clock.set(cph(2026, 11, 30, 23, 50))
    await refresh_overview(services.pool, clock.now())
    clock.set(cph(2026, 12, 1, 0, 10))
    # November is counted as it ended, December begins: 2 x 3 rows.
    assert await refresh_overview(services.pool, clock.now()) == 6
    assert await refresh_overview(services.pool, clock.now()) == 3


async def test_a_round_is_skipped_while_another_instance_counts(town, services, clock, db):
    async with db.transaction():
        await db.execute("SELECT pg_advisory_xact_lock(hashtextextended('ideabox:overview', 0))")
        assert await refresh_overview(services.pool, clock.now()) is None
    assert await refresh_overview(services.pool, clock.now()) is not None
