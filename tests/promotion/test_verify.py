"""``promote --verify``'s recomputation: from the vote log and the status history, as it was."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from ideabox.promotion.service import promote_on_own
from ideabox.promotion.verify import verify_purpose
from tests.factories import bearer
from tests.promotion.scene import Scene, cph

SEPTEMBER = date(2026, 9, 1)


@pytest.fixture
async def promoted(services, client, db, app) -> tuple[Scene, list[int]]:
    scene = await Scene(client, db).build(promote_top_n=2)
    ideas = [await scene.idea(f"Idé til efterprøvning {n}", cph(2026, 9, 1, 10)) for n in range(3)]
    for n, idea in enumerate(ideas):
        await scene.votes(idea, range(n + 2), cph(2026, 9, 12))
    result = await promote_on_own(services, scene.slug, SEPTEMBER, trigger="promotion:cli",
                                  now=services.now())
    assert [i.idea_id for i in result.items] == [ideas[2], ideas[1]]
    return scene, ideas


async def _verify(db, slug: str):
    purpose = await db.fetchrow("SELECT id, slug, timezone FROM purposes WHERE slug = $1", slug)
    return await verify_purpose(db, purpose, SEPTEMBER)


async def test_a_faithful_record_verifies(promoted, db):
    scene, _ = promoted
    result = await _verify(db, scene.slug)
    assert result.ok, result.differences


async def test_what_happened_after_the_promotion_does_not_matter(promoted, db, client, clock):
    scene, ideas = promoted
    clock.advance(timedelta(hours=1))
    # Votes retracted and cast later, an idea withdrawn later, the rule changed later:
    # the recomputation sees the state as it was when the month was promoted.
    for _, token in scene.voters[:3]:
        await client.delete(f"/api/v1/ideas/{ideas[2]}/vote", headers=bearer(token))
    await client.delete(f"/api/v1/ideas/{ideas[0]}/vote", headers=bearer(scene.voters[0][1]))
    await client.post(f"/api/v1/ideas/{ideas[0]}/withdraw", headers=bearer(scene.author_token))
    await db.execute("UPDATE purposes SET promote_top_n = 3, min_votes = 0")
    answered = await scene.respond(ideas[1], "accepted", "Vi gør det.")
    assert answered.status_code == 201
    result = await _verify(db, scene.slug)
    assert result.ok, result.differences


async def test_a_tampered_record_is_reported(promoted, db):
    scene, ideas = promoted
    await db.execute("UPDATE promotions SET votes_in_month = 9, total_votes = 9 WHERE rank = 2")
    result = await _verify(db, scene.slug)
    assert [(d.rank, d.message) for d in result.differences] == [
        (2, f"idea {ideas[1]} was recorded with 9 votes in the month, 9 in all; "
            f"recomputed: 3 votes in the month, 3 in all")]


async def test_a_missing_winner_and_a_wrong_one_are_reported(promoted, db):
    scene, ideas = promoted
    await db.execute("DELETE FROM promotions WHERE rank = 2")
    await db.execute("UPDATE promotions SET idea_id = $1 WHERE rank = 1", ideas[0])
    messages = [d.message for d in (await _verify(db, scene.slug)).differences]
    assert messages == [
        f"idea {ideas[0]} was promoted (4 votes in the month, 4 in all), but idea {ideas[2]} "
        f"ranks here (4 votes in the month, 4 in all)",
        f"idea {ideas[0]} has no 'promoted' entry in its status history",
        f"idea {ideas[1]} (3 votes in the month, 3 in all) should have been promoted",
    ]


async def test_a_month_without_a_run_is_reported(client, db):
    scene = await Scene(client, db).build()
    result = await _verify(db, scene.slug)
    assert not result.ok and not result.recorded
