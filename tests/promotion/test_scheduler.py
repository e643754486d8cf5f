"""The schedule inside ``serve``: one round at a time, with the clock given, never slept on."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from ideabox.promotion.scheduler import due_months, next_check, promote_due
from tests.promotion.scene import Scene, cph

DELAY = timedelta(minutes=5)


@pytest.fixture
async def scene(client, db) -> Scene:
    scene = await Scene(client, db).build(promote_top_n=1)
    # The purpose began in July (Copenhagen time).
    await db.execute("UPDATE purposes SET created_at = $1", cph(2026, 7, 15))
    return scene


async def test_due_months_run_from_the_purposes_first_month_after_the_delay(scene, db):
    just_before = cph(2026, 10, 1, 0, 4)
    assert [d.month for d in await due_months(db, just_before, DELAY)] == [
        date(2026, 7, 1), date(2026, 8, 1)]
    just_after = cph(2026, 10, 1, 0, 5)
    assert [d.month for d in await due_months(db, just_after, DELAY)] == [
        date(2026, 7, 1), date(2026, 8, 1), date(2026, 9, 1)]


async def test_a_round_catches_up_every_missed_month_once(scene, app, db):
    july = await scene.idea("Sommerens bedste idé", cph(2026, 7, 16))
    september = await scene.idea("Efterårets bedste idé", cph(2026, 9, 1, 9))
    await scene.votes(july, range(2), cph(2026, 7, 20))
    await scene.votes(september, range(3), cph(2026, 9, 2))

    now = cph(2026, 10, 3)
    results = await promote_due(app.state.services, now)
    assert [(r.month, [i.idea_id for i in r.items]) for r in results] == [
        ("2026-07", [july]), ("2026-08", []), ("2026-09", [september])]
    runs = await db.fetch("SELECT to_char(month, 'YYYY-MM') AS m, trigger, triggered_by "
                          "FROM promotion_runs ORDER BY month")
    assert [tuple(r) for r in runs] == [("2026-07", "promotion:schedule", None),
                                        ("2026-08", "promotion:schedule", None),
                                        ("2026-09", "promotion:schedule", None)]
    changes = await db.fetch("SELECT trigger, changed_by FROM idea_status_changes "
                             "WHERE to_status = 'promoted' ORDER BY id")
    assert [tuple(c) for c in changes] == [("promotion:schedule", None)] * 2

    # The next round (another worker, or this one later) finds nothing left to do.
    assert await promote_due(app.state.services, now) == []
    assert await db.fetchval("SELECT count(*) FROM promotion_runs") == 3


async def test_a_round_before_the_delay_has_passed_leaves_the_month(scene, app, db):
    await db.execute("UPDATE purposes SET created_at = $1", cph(2026, 9, 10))
    assert await promote_due(app.state.services, cph(2026, 10, 1, 0, 2)) == []
    assert await db.fetchval("SELECT count(*) FROM promotion_runs") == 0
    done = await promote_due(app.state.services, cph(2026, 10, 1, 0, 6))
    assert [r.month for r in done] == ["2026-09"]


async def test_a_month_promoted_by_hand_is_not_promoted_again(scene, app, db):
    assert (await scene.promote("2026-08")).status_code == 200
    results = await promote_due(app.state.services, cph(2026, 9, 2))
    assert [r.month for r in results] == ["2026-07"]
    trigger = await db.fetchval("SELECT trigger FROM promotion_runs WHERE month = '2026-08-01'")
    assert trigger == "promotion:api"


async def test_the_next_check_is_when_the_next_month_ends_plus_the_delay(scene, db):
    now = cph(2026, 10, 20)
    assert await next_check(db, now, DELAY) == now + timedelta(seconds=300)  # at most 5 min
    late = cph(2026, 10, 31, 23, 58)
    assert await next_check(db, late, DELAY) == cph(2026, 11, 1, 0, 3)  # still the cap
    # In the delay right after a month ended, the month just ended is next.
    inside = cph(2026, 11, 1, 0, 1)
    assert await next_check(db, inside, DELAY) == cph(2026, 11, 1, 0, 5)
    assert (await next_check(db, inside, DELAY)).astimezone(UTC) == datetime(
        2026, 10, 31, 23, 5, tzinfo=UTC)


def test_serve_runs_the_schedule_in_every_worker():
    from ideabox.http.app import background_tasks
    from ideabox.promotion.scheduler import promote_forever

    assert promote_forever in background_tasks()
