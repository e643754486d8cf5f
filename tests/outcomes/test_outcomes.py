"""The "What happened" page ("Sådan gik det") and its JSON twin: each month's promoted
ideas with their status, deadline, answer date and days taken, and the figures."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from tests.outcomes.scene import two_months
from tests.promotion.scene import cph


@pytest.fixture
async def months(client, db, clock):
    return await two_months(client, db, clock)


async def test_the_outcomes_per_month_and_in_all(client, months):
    response = await client.get("/api/v1/purposes/havnen/outcomes")
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["purpose"] == "havnen" and body["answer_within_days"] == 30
    assert body["figures"] == {"promoted": 5, "answered": 3, "accepted": 1, "implemented": 1,
                               "median_days_to_answer": 5.0, "overdue": 1}
    assert [month["month"] for month in body["months"]] == ["2026-10", "2026-09"]
    october, september = body["months"]
    assert september["figures"] == {"promoted": 3, "answered": 2, "accepted": 0,
                                    "implemented": 1, "median_days_to_answer": 12.0,
                                    "overdue": 1}
    # The hidden idea is left out of the list and the figures.
    assert october["figures"] == {"promoted": 2, "answered": 1, "accepted": 1,
                                  "implemented": 0, "median_days_to_answer": 1.0, "overdue": 0}
    assert [item["idea_id"] for item in october["items"]] == [months.accepted, months.waiting]

    def instant(value: str | None) -> datetime | None:
        return None if value is None else datetime.fromisoformat(value).astimezone(UTC)

    rows = {item["idea_id"]: item for item in september["items"]}
    assert [item["idea_id"] for item in september["items"]] == [
        months.implemented, months.declined, months.overdue]
    implemented = rows[months.implemented]
    assert implemented["status"] == "implemented" and implemented["rank"] == 1
    assert instant(implemented["promoted_at"]) == cph(2026, 10, 1, 12)
    assert instant(implemented["answer_due"]) == cph(2026, 10, 31, 11)  # 30 × 24 h, past DST
    assert instant(implemented["answered_at"]) == cph(2026, 10, 6, 12)  # the first answer
    assert implemented["days_taken"] == 5 and implemented["overdue"] is False
    # 19 days and 21 hours: 19 whole days.
    assert rows[months.declined]["days_taken"] == 19
    assert rows[months.overdue]["answered_at"] is None
    assert rows[months.overdue]["days_taken"] is None
    assert rows[months.overdue]["overdue"] is True


async def test_a_purpose_without_promotions_and_an_unknown_one(client, db):
    from tests.factories import make_purpose

    await make_purpose(db, slug="tomt")
    empty = await client.get("/api/v1/purposes/tomt/outcomes")
    assert empty.status_code == 200
    assert empty.json()["months"] == []
    assert empty.json()["figures"] == {"promoted": 0, "answered": 0, "accepted": 0,
                                       "implemented": 0, "median_days_to_answer": None,
                                       "overdue": 0}
    missing = await client.get("/api/v1/purposes/findes-ikke/outcomes")
    assert missing.status_code == 404
    page = await client.get("/purposes/findes-ikke/what-happened")
    assert page.status_code == 404


async def test_the_page_in_danish(client, months):
    page = await client.get("/purposes/havnen/what-happened")
    assert page.status_code == 200
    text = page.text
    assert '<html lang="da">' in text
    assert "<h1>Sådan gik det: En bedre havnefront</h1>" in text
    assert "oktober 2026" in text and "september 2026" in text
    for title in ("Bænke med ryglæn", "Gratis parkering i havnen", "Flere skraldespande",
                  "Badetrappe ved kajen", "Lys på gangbroen"):
        assert title in text
    assert "En idé der blev skjult" not in text
    assert text.count('badge--overdue">Svarfristen er overskredet<') == 1
    assert "Median antal dage til svar" in text and "12" in text
    assert "31. oktober 2026" in text  # the overdue idea's deadline
    # The purpose's page leads here.
    purpose = await client.get("/purposes/havnen")
    assert 'href="/purposes/havnen/what-happened"' in purpose.text


async def test_the_page_in_english(client, months):
    page = await client.get("/purposes/havnen/what-happened",
                            headers={"Accept-Language": "en"})
    assert page.status_code == 200
    text = page.text
    assert '<html lang="en">' in text
    assert "<h1>What happened: En bedre havnefront</h1>" in text
    assert "Overdue now" in text and "Median days to an answer" in text
    assert text.count('class="badge badge--overdue">Overdue<') == 1
