"""``ideabox promote`` and ``ideabox promote --verify``, run as real processes."""

from __future__ import annotations

import pytest

from tests.promotion.scene import Scene, cph


@pytest.fixture
async def scene(client, db) -> Scene:
    scene = await Scene(client, db).build(slug="havnen", promote_top_n=2)
    first = await scene.idea("Bænke ved vandet", cph(2026, 9, 1, 10))
    second = await scene.idea("Lys på molen", cph(2026, 9, 1, 11))
    await scene.votes(first, range(3), cph(2026, 9, 10))
    await scene.votes(second, range(2), cph(2026, 9, 10))
    return scene


async def test_promote_prints_the_result_and_records_the_cli_as_trigger(scene, run_cli, db):
    code, out, err = await run_cli("promote", "--month", "2026-09", "--purpose", "havnen")
    assert code == 0, err
    lines = out.splitlines()
    assert lines[0].startswith("havnen 2026-09: 2 idea(s) promoted (promotion:cli, ")
    assert lines[1] == "    1. idea 1: 3 vote(s) in the month, 3 in all — Bænke ved vandet"
    assert lines[2] == "    2. idea 2: 2 vote(s) in the month, 2 in all — Lys på molen"
    run = await db.fetchrow("SELECT trigger, triggered_by FROM promotion_runs")
    assert tuple(run) == ("promotion:cli", None)
    changes = await db.fetch("SELECT trigger, changed_by FROM idea_status_changes "
                             "WHERE to_status = 'promoted'")
    assert [tuple(c) for c in changes] == [("promotion:cli", None)] * 2

    # Again: the recorded result, unchanged.
    code, again, _ = await run_cli("promote", "--month", "2026-09", "--purpose", "havnen")
    assert code == 0 and again == out

    code, out, err = await run_cli("promote", "--verify", "--month", "2026-09")
    assert code == 0, err
    assert out == "havnen 2026-09: ok\n"


async def test_without_a_month_the_last_ended_month_of_every_purpose_is_promoted(scene, run_cli,
                                                                                 client, db):
    other = await Scene(client, db).build(slug="skolen")
    assert other.slug == "skolen"
    code, out, err = await run_cli("promote")
    assert code == 0, err
    # The clock says November 2026: October is the last month that has ended.
    assert [line.split(":")[0] for line in out.splitlines()] == ["havnen 2026-10",
                                                                  "skolen 2026-10"]


async def test_verify_reports_differences_with_a_failing_exit_code(scene, run_cli, db):
    assert (await run_cli("promote", "--month", "2026-09"))[0] == 0
    await db.execute("UPDATE promotions SET votes_in_month = 1 WHERE rank = 1")
    code, out, _ = await run_cli("promote", "--verify", "--month", "2026-09", "--purpose",
                                 "havnen")
    assert code == 1
    assert out.splitlines() == [
        "havnen 2026-09: 1 difference(s)",
        "  rank 1: idea 1 was recorded with 1 votes in the month, 3 in all; recomputed: "
        "3 votes in the month, 3 in all",
    ]
    code, out, _ = await run_cli("promote", "--verify", "--month", "2026-08")
    assert code == 1
    assert out == "havnen 2026-08: 1 difference(s)\n  no promotion is recorded\n"


async def test_bad_and_unready_months_are_refused(scene, run_cli, db):
    code, _, err = await run_cli("promote", "--month", "2026-9")
    assert code == 2 and "--month" in err
    code, _, err = await run_cli("promote", "--month", "2026-11")
    assert code == 1 and "2026-11 has not ended yet in Europe/Copenhagen" in err
    code, _, err = await run_cli("promote", "--month", "2026-09", "--purpose", "findes-ikke")
    assert code == 1 and "there is no purpose 'findes-ikke'" in err
    assert await db.fetchval("SELECT count(*) FROM promotion_runs") == 0
