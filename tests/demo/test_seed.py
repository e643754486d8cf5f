"""``ideabox seed --demo``: an empty database becomes a living municipality, with the
tallies in Redis right from the start; a database with ideas is left alone."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime
from typing import Any

import asyncpg
import pytest
from litestar.datastructures import State

from ideabox.demo.plan import make_plan
from ideabox.demo.seed import DemoOptions, NotEmpty, seed_demo
from ideabox.platform.clock import FrozenClock
from ideabox.platform.errors import Unauthorized
from ideabox.platform.months import current_month, month_bounds, month_label
from ideabox.platform.settings import Settings
from ideabox.promotion.verify import verify_purpose
from ideabox.runtime import connected
from ideabox.votes.tallies import Keys
from tests.factories import make_purpose, make_user

TZ = "Europe/Copenhagen"
NOW = datetime(2026, 11, 26, 12, 30, tzinfo=UTC)
SEPTEMBER, OCTOBER = datetime(2026, 9, 1).date(), datetime(2026, 10, 1).date()


@pytest.fixture
async def state(settings: Settings, clock: FrozenClock) -> AsyncIterator[State]:
    clock.set(NOW)
    async with connected(settings, clock) as connected_state:
        yield connected_state


async def test_the_demo_fills_an_empty_database(state: State, db: asyncpg.Connection) -> None:
    result = await seed_demo(state, DemoOptions(residents=40, now=NOW))
    counts = {table: await db.fetchval(f"SELECT count(*) FROM {table}")
              for table in ("purposes", "ideas", "comments", "votes", "follows",
                            "notifications")}
    assert counts["purposes"] == 3
    assert 55 <= counts["ideas"] <= 65
    assert 100 <= counts["comments"] <= 400
    assert counts["votes"] >= 400  # forty residents, five staff: a small town
    assert counts["follows"] > 0 and counts["notifications"] > 0
    assert result.counts["votes"] == counts["votes"]
    replies = await db.fetchval("SELECT count(*) FROM comments WHERE parent_id IS NOT NULL")
    assert replies > 10
    audiences = {r["audience"] for r in await db.fetch("SELECT audience FROM purposes")}
    assert audiences == {"staff", "residents", "everyone"}

    # Votes over three months, some ideas far ahead of the rest.
    months = await db.fetch(
        "SELECT date_trunc('month', created_at AT TIME ZONE $1)::date AS month, count(*) AS n "
        "FROM votes GROUP BY 1 ORDER BY 1", TZ)
    assert [r["month"] for r in months] == [SEPTEMBER, OCTOBER, datetime(2026, 11, 1).date()]
    assert all(r["n"] > 50 for r in months)
    spread = await db.fetch("SELECT count(*) AS n FROM votes GROUP BY idea_id ORDER BY n DESC")
    assert spread[0]["n"] >= 2.5 * spread[len(spread) // 2]["n"]

    # The last two months were promoted by the real rule, and the record checks out.
    for purpose in await db.fetch("SELECT id, slug, timezone FROM purposes"):
        for month in (SEPTEMBER, OCTOBER):
            assert (await verify_purpose(db, purpose, month)).ok, (purpose["slug"], month)
    promoted = await db.fetch(
        "SELECT pr.month, i.status FROM promotions pr JOIN ideas i ON i.id = pr.idea_id")
    last_month = [r["status"] for r in promoted if r["month"] == OCTOBER]
    assert len(last_month) == 9
    # Partly answered: some wait for the administration, some have been answered.
    assert "promoted" in last_month and set(last_month) - {"promoted"}
    assert all(r["status"] != "promoted" for r in promoted if r["month"] == SEPTEMBER)
    answers = await db.fetch("SELECT to_status, response, created_at FROM idea_status_changes "
                             "WHERE trigger = 'response'")
    assert {a["to_status"] for a in answers} == {"under_review", "accepted", "implemented",
                                                "rejected"}
    assert all(a["response"] and a["created_at"] < NOW for a in answers)
    assert result.outcome.answered == len(answers)

    # Nothing happened before an idea was posted, or after the present.
    assert not await db.fetchval(
        "SELECT EXISTS (SELECT 1 FROM votes v JOIN ideas i ON i.id = v.idea_id "
        "WHERE v.created_at < i.created_at OR v.created_at > $1)", NOW)
    assert not await db.fetchval(
        "SELECT EXISTS (SELECT 1 FROM comments c JOIN comments p ON p.id = c.parent_id "
        "WHERE c.created_at <= p.created_at)")
    assert await db.fetchval("SELECT count(*) FROM ideas WHERE status = 'withdrawn'") == 1

    # The cache was rebuilt: every tally in Redis equals count(*).
    assert result.cache_rebuilt
    await _tallies_match(state, db)


async def _tallies_match(state: State, db: asyncpg.Connection) -> None:
    client = state.cache.client
    bounds = month_bounds(current_month(TZ, NOW), TZ)
    rows = await db.fetch(
        "SELECT i.id, i.purpose_id, count(v.idea_id) AS total, "
        "count(v.idea_id) FILTER (WHERE v.created_at >= $1 AND v.created_at < $2) AS month "
        "FROM ideas i LEFT JOIN votes v ON v.idea_id = i.id GROUP BY i.id", *bounds)
    for row in rows:
        cached = await client.hgetall(Keys(state.cache, row["purpose_id"]).idea(row["id"]))
        assert int(cached[b"total"]) == row["total"], row["id"]
        # The month it counts for: an idea nobody voted for this month has none in it.
        this_month = cached[b"month"] == month_label(current_month(TZ, NOW)).encode()
        assert (int(cached[b"mv"]) if this_month else 0) == row["month"], row["id"]


async def test_the_plan_is_the_same_for_the_same_seed() -> None:
    first, again = make_plan(7, 30, NOW), make_plan(7, 30, NOW)
    assert first.votes == again.votes and first.comments == again.comments
    assert make_plan(8, 30, NOW).votes != first.votes


async def test_a_database_with_ideas_is_refused(state: State, db: asyncpg.Connection) -> None:
    purpose = await make_purpose(db)
    author, _ = await make_user(db)
    await db.execute("INSERT INTO ideas (purpose_id, author_id, title, body, body_html) "
                     "VALUES ($1, $2, 'En idé', 'Tekst', '<p>Tekst</p>')", purpose.id, author.id)
    with pytest.raises(NotEmpty) as refused:
        await seed_demo(state, DemoOptions(residents=20, now=NOW))
    assert not refused.value.holds_demo
    assert await db.fetchval("SELECT count(*) FROM ideas") == 1
    assert await db.fetchval("SELECT count(*) FROM purposes") == 1



async def test_the_command_seeds_once_and_then_refuses(run_cli: Any,
                                                       db: asyncpg.Connection) -> None:
    code, out, err = await run_cli("seed", "--demo", "--residents", "20", "--admin-email",
                                   "chef@havnestad.example", "--admin-password-stdin",
                                   stdin="et langt kodeord\n")
    assert code == 0, err
    assert "Seeded the demo of Havnestad Kommune" in out
    assert "chef@havnestad.example" in out and "et langt kodeord" not in out
    assert "sofie.holm@borger.example" in out
    assert await db.fetchval("SELECT role FROM users WHERE email = 'chef@havnestad.example'") \
        == "admin"
    ideas = await db.fetchval("SELECT count(*) FROM ideas")

    code, _, err = await run_cli("seed", "--demo")
    assert code != 0
    assert "already holds ideas" in err
    code, _, err = await run_cli("seed", "--demo", "--unless-seeded")
    assert code == 0 and "already holds the demo" in err
    assert await db.fetchval("SELECT count(*) FROM ideas") == ideas


async def test_an_existing_admin_must_give_its_password(state: State,
                                                      db: asyncpg.Connection) -> None:
    await make_user(db, role="admin", email="chef@havnestad.example")
    with pytest.raises(Unauthorized):
        await seed_demo(state, DemoOptions(residents=20, now=NOW,
                                           admin_email="chef@havnestad.example",
                                           admin_password="not the right one"))
    assert await db.fetchval("SELECT count(*) FROM users") == 1  # nothing was kept
