"""The answer deadline of a promoted idea in its JSON: promoted_at, answer_due,
answered_at and overdue, before the promotion, after it, after the answer and once the
deadline has passed (the clock moved), read from PostgreSQL and from the cache alike."""

from __future__ import annotations

from datetime import datetime, timedelta

import httpx
import pytest

from tests.conftest import NOW
from tests.factories import bearer
from tests.promotion.scene import Scene, cph

FIELDS = ("promoted_at", "answer_due", "answered_at", "overdue")


def _instant(value: str | None) -> datetime | None:
    return None if value is None else datetime.fromisoformat(value)


async def _deadline(client: httpx.AsyncClient, idea_id: int,
                    token: str | None = None) -> dict[str, object]:
    response = await client.get(f"/api/v1/ideas/{idea_id}",
                                headers=bearer(token) if token else {})
    assert response.status_code == 200, response.text
    body = response.json()
    return {field: body[field] if field == "overdue" else _instant(body[field])
            for field in FIELDS}


@pytest.fixture
async def scene(client, db) -> Scene:
    return await Scene(client, db).build(promote_top_n=2, voters=3)


async def test_the_deadline_through_promotion_answer_and_the_clock(scene, client, clock):
    first = await scene.idea("Flere bænke langs havnen", cph(2026, 10, 2))
    second = await scene.idea("Vandpost ved legepladsen", cph(2026, 10, 3))
    await scene.votes(first, range(3), cph(2026, 10, 5))
    await scene.votes(second, range(2), cph(2026, 10, 5))
    never = {"promoted_at": None, "answer_due": None, "answered_at": None, "overdue": False}
    assert await _deadline(client, first) == never

    assert (await scene.promote("2026-10")).status_code == 200
    due = NOW + timedelta(days=30)
    promoted = {"promoted_at": NOW, "answer_due": due, "answered_at": None, "overdue": False}
    # Read twice: from PostgreSQL, then from the cached document.
    assert await _deadline(client, first) == promoted
    assert await _deadline(client, first) == promoted
    assert await _deadline(client, first, scene.author_token) == promoted

    clock.set(NOW + timedelta(days=9))
    assert (await scene.respond(second, "under_review", "Vi ser på det.")).status_code == 201
    answered = {"promoted_at": NOW, "answer_due": due, "answered_at": NOW + timedelta(days=9),
                "overdue": False}
    assert await _deadline(client, second) == answered
    # A later answer is not the first one.
    clock.set(NOW + timedelta(days=12))
    assert (await scene.respond(second, "accepted", "Den kommer til foråret.")).status_code == 201
    assert await _deadline(client, second) == answered

    # At the deadline it is not yet overdue; a moment after, it is (the cached document
    # is the same: overdue is worked out when the idea is read).
    clock.set(due)
    assert (await _deadline(client, first))["overdue"] is False
    clock.set(due + timedelta(seconds=1))
    assert await _deadline(client, first) == {**promoted, "overdue": True}
    assert await _deadline(client, first, scene.voters[0][1]) == {**promoted, "overdue": True}
    assert await _deadline(client, second) == answered

    listed = await client.get(f"/api/v1/purposes/{scene.slug}/ideas", params={"sort": "new"})
    assert {item["id"]: item["overdue"] for item in listed.json()["items"]} == {
        first: True, second: False}

    # The purpose gives more time: the deadline moves for the ideas promoted already.
    changed = await client.patch(f"/api/v1/purposes/{scene.slug}",
                                 headers=bearer(scene.admin_token),
                                 json={"answer_within_days": 45})
    assert changed.status_code == 200, changed.text
    later = {**promoted, "answer_due": NOW + timedelta(days=45), "overdue": False}
    assert await _deadline(client, first) == later


async def test_an_answer_within_zero_days_is_due_at_once(client, db, clock):
    scene = await Scene(client, db).build(promote_top_n=1, voters=1, answer_within_days=0)
    idea = await scene.idea("Skiltning ved stranden", cph(2026, 10, 2))
    await scene.votes(idea, [0], cph(2026, 10, 5))
    assert (await scene.promote("2026-10")).status_code == 200
    assert await _deadline(client, idea) == {"promoted_at": NOW, "answer_due": NOW,
                                             "answered_at": None, "overdue": False}
    clock.advance(timedelta(minutes=1))
    assert (await _deadline(client, idea))["overdue"] is True


async def test_the_idea_page_and_the_lists_show_the_deadline(scene, client, clock):
    idea = await scene.idea("Flere bænke langs havnen", cph(2026, 10, 2))
    await scene.votes(idea, range(3), cph(2026, 10, 5))
    before = await client.get(f"/ideas/{idea}")
    assert "Svarfrist" not in before.text
    assert (await scene.promote("2026-10")).status_code == 200

    clock.set(NOW + timedelta(days=3, hours=2))
    page = await client.get(f"/ideas/{idea}")
    assert "Sendt videre til forvaltningen for 3 dage siden." in page.text
    assert "<strong>Svarfrist:</strong> 16. december 2026" in page.text
    assert "badge--overdue" not in page.text
    assert "badge--overdue" not in (await client.get(f"/purposes/{scene.slug}")).text

    clock.set(NOW + timedelta(days=31))
    page = await client.get(f"/ideas/{idea}")
    assert "Sendt videre til forvaltningen for 31 dage siden." in page.text
    assert 'badge--overdue">Svarfristen er overskredet<' in page.text
    english = await client.get(f"/ideas/{idea}", headers={"Accept-Language": "en"})
    assert "Sent to the administration 31 days ago." in english.text
    assert "<strong>Answer due:</strong> December 16, 2026" in english.text
    assert 'badge--overdue">Overdue<' in english.text
    for listing in (f"/purposes/{scene.slug}", f"/purposes/{scene.slug}?sort=new", "/"):
        shown = await client.get(listing)
        assert shown.text.count('badge--overdue">Svarfristen er overskredet<') == 1, listing

    assert (await scene.respond(idea, "accepted", "Vi sætter bænke op.")).status_code == 201
    page = await client.get(f"/ideas/{idea}")
    assert "Besvaret efter 31 dage." in page.text
    assert "badge--overdue" not in page.text
