"""The export's answer deadline columns: answer_due and answered_at in the purpose's time
zone, and overdue as it stands when the export is made."""

from __future__ import annotations

from datetime import datetime, timedelta

from tests.conftest import NOW
from tests.exports.scenarios import MONTH, SCENARIOS
from tests.factories import bearer, make_user
from tests.promotion.scene import cph


async def _items(client, token: str, slug: str) -> dict[int, dict]:
    response = await client.get("/api/v1/exports/top-ideas", headers=bearer(token),
                                params={"month": MONTH, "purpose": slug, "format": "json"})
    assert response.status_code == 200, response.text
    return {item["idea_id"]: item for item in response.json()["items"]}


async def test_overdue_is_as_of_the_export(client, db, clock):
    slug = await SCENARIOS["many"](client, db)  # promoted at NOW; two ideas answered
    _, staff = await make_user(db, role="staff")
    items = await _items(client, staff, slug)
    assert len(items) == 8
    answered = {i for i, item in items.items() if item["answered_at"] is not None}
    assert len(answered) == 2
    due = cph(2026, 12, 16, 10)
    for item in items.values():
        assert datetime.fromisoformat(item["answer_due"]) == due == NOW + timedelta(days=30)
        assert item["answer_due"] == "2026-12-16T10:00:00+01:00"  # the purpose's zone
        assert item["overdue"] is False

    clock.set(due + timedelta(seconds=1))
    items = await _items(client, staff, slug)
    assert {i for i, item in items.items() if item["overdue"]} == set(items) - answered
