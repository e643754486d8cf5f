"""Months and their promotion at the instants calendars get wrong: the last second of a
month in Copenhagen, both changes of daylight saving time, New Year's Eve and 29
February. The clock stands where each test puts it; votes are stamped by it, the month
is read from it, and whether a month has ended is decided by it — through the API, the
schedule and the command line alike."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from ideabox.platform.months import (
    current_month,
    month_bounds,
    month_label,
    next_month,
    previous_month,
)
from ideabox.promotion.scheduler import due_months
from ideabox.promotion.verify import verify_purpose
from tests.factories import bearer, post_idea
from tests.promotion.scene import Scene

CPH = ZoneInfo("Europe/Copenhagen")
DELAY = timedelta(minutes=5)


@dataclass(frozen=True)
class Instant:
    name: str
    moment: datetime  # what the clock reads
    month: date  # the month it is then, in Copenhagen
    ends: datetime  # when that month ends

    def __str__(self) -> str:
        return self.name


INSTANTS = [
    Instant("last-second-of-november", datetime(2026, 11, 30, 23, 59, 59, tzinfo=CPH),
            date(2026, 11, 1), datetime(2026, 12, 1, tzinfo=CPH)),
    # 25 October 2026: 03:00 summer time becomes 02:00 winter time; 02:30 happens twice.
    Instant("second-0230-when-summer-time-ends",
            datetime(2026, 10, 25, 2, 30, fold=1, tzinfo=CPH),
            date(2026, 10, 1), datetime(2026, 11, 1, tzinfo=CPH)),
    # 28 March 2027: 02:00 winter time becomes 03:00 summer time; 02:30 never happens.
    Instant("first-minute-of-summer-time", datetime(2027, 3, 28, 3, 0, tzinfo=CPH),
            date(2027, 3, 1), datetime(2027, 4, 1, tzinfo=CPH)),
    Instant("new-years-eve", datetime(2026, 12, 31, 23, 59, 59, tzinfo=CPH),
            date(2026, 12, 1), datetime(2027, 1, 1, tzinfo=CPH)),
    Instant("29-february", datetime(2028, 2, 29, 12, 0, tzinfo=CPH),
            date(2028, 2, 1), datetime(2028, 3, 1, tzinfo=CPH)),
]


@pytest.mark.parametrize("instant", INSTANTS, ids=str)
def test_the_month_and_its_bounds(instant: Instant) -> None:
    assert current_month("Europe/Copenhagen", instant.moment) == instant.month
    start, end = month_bounds(instant.month, "Europe/Copenhagen")
    assert start <= instant.moment < end == instant.ends
    assert current_month("Europe/Copenhagen", end) == next_month(instant.month)
    assert current_month("Europe/Copenhagen", end - timedelta(microseconds=1)) == instant.month
    assert previous_month(next_month(instant.month)) == instant.month
    # The month's length follows the calendar and daylight saving time, not 30 × 24 h.
    days = (next_month(instant.month) - instant.month).days
    shift = {date(2026, 10, 1): 1, date(2027, 3, 1): -1}.get(instant.month, 0)
    # (Python subtracts two times of one zone on the wall clock: compare in UTC.)
    assert end.astimezone(UTC) - start.astimezone(UTC) == timedelta(days=days, hours=shift)


@pytest.fixture
async def scene(client, db) -> Scene:
    return await Scene(client, db).build(promote_top_n=2, voters=4)


@pytest.mark.parametrize("instant", INSTANTS, ids=str)
async def test_votes_count_in_the_month_the_clock_says_and_it_is_promoted_when_it_ends(
        instant: Instant, scene: Scene, client, clock, db) -> None:
    clock.set(instant.moment - timedelta(days=2))
    idea = (await post_idea(client, scene.author_token, scene.slug,
                            title="Bænke langs åen"))["id"]

    clock.set(instant.moment)
    for _, token in scene.voters[:2]:
        assert (await client.put(f"/api/v1/ideas/{idea}/vote",
                                 headers=bearer(token))).status_code == 200
    shown = (await client.get(f"/api/v1/ideas/{idea}")).json()
    assert (shown["votes"], shown["votes_this_month"]) == (2, 2)

    # Until the month ends in Copenhagen, it cannot be promoted, by hand or by schedule.
    label = month_label(instant.month)
    for moment in (instant.moment, instant.ends - timedelta(microseconds=1)):
        clock.set(moment)
        refused = await scene.promote(label)
        assert refused.status_code == 409, refused.text
        assert refused.json()["extra"][0]["key"] == "month"
        due = [d.month for d in await due_months(db, moment + DELAY, DELAY)]
        assert instant.month not in due

    # The first instant of the next month: a vote now counts for the new month.
    clock.set(instant.ends)
    token = scene.voters[2][1]
    assert (await client.put(f"/api/v1/ideas/{idea}/vote",
                             headers=bearer(token))).status_code == 200
    shown = (await client.get(f"/api/v1/ideas/{idea}")).json()
    assert (shown["votes"], shown["votes_this_month"]) == (3, 1)
    assert instant.month in [d.month for d in await due_months(db, instant.ends + DELAY, DELAY)]

    promoted = await scene.promote(label)
    assert promoted.status_code == 200, promoted.text
    assert promoted.json()["items"] == [{"rank": 1, "idea_id": idea, "title": "Bænke langs åen",
                                         "votes_in_month": 2, "total_votes": 2}]
    purpose = await db.fetchrow("SELECT id, slug, timezone FROM purposes WHERE slug = $1",
                                scene.slug)
    assert (await verify_purpose(db, purpose, instant.month)).ok


@pytest.mark.parametrize("instant", INSTANTS, ids=str)
async def test_the_command_promotes_the_month_that_ended_last(instant: Instant, scene: Scene,
                                                              client, clock, run_cli) -> None:
    clock.set(instant.moment)
    idea = (await post_idea(client, scene.author_token, scene.slug))["id"]
    await client.put(f"/api/v1/ideas/{idea}/vote", headers=bearer(scene.voters[0][1]))

    code, _, err = await run_cli("promote", "--month", month_label(instant.month))
    assert code == 1 and f"{month_label(instant.month)} has not ended yet" in err

    clock.set(instant.ends + timedelta(seconds=30))
    code, out, err = await run_cli("promote", "--purpose", scene.slug)
    assert code == 0, err
    assert out.startswith(f"{scene.slug} {month_label(instant.month)}: 1 idea(s) promoted")
