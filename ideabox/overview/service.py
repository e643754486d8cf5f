"""Reading the overview: who may, and one indexed query over the counted months."""

from __future__ import annotations

from datetime import datetime

import asyncpg

from ideabox.accounts.schemas import Viewer
from ideabox.overview.counting import OVERALL, OVERALL_ZONE
from ideabox.overview.schemas import MonthFigures, Overview
from ideabox.platform.errors import Forbidden, NotFound
from ideabox.platform.months import current_month, month_label, previous_month

DEFAULT_MONTHS = 12
MAX_MONTHS = 60

READ_QUERY = """
SELECT month, ideas, votes, comments, participants, residents, verified, promotions,
       answers, median_days_to_answer, overdue, computed_at
FROM overview_months
WHERE purpose_id = $1 AND month > $2 AND month <= $3
ORDER BY month
"""


def ensure_may_see_overview(viewer: Viewer) -> None:
    """The overview is for the administration: staff, moderators and administrators."""
    if viewer.role not in ("staff", "moderator", "admin"):
        raise Forbidden("staff_only_overview")


async def read_overview(conn: asyncpg.Connection, viewer: Viewer, slug: str | None, *,
                        months: int, now: datetime) -> Overview:
    """The last ``months`` months up to the one under way at ``now``, of the purpose
    ``slug`` (in its time zone) or of all purposes (in Copenhagen's); 404 for an unknown
    purpose."""
    ensure_may_see_overview(viewer)
    key, tz = OVERALL, OVERALL_ZONE
    if slug is not None:
        purpose = await conn.fetchrow("SELECT id, timezone FROM purposes WHERE slug = $1", slug)
        if purpose is None:
            raise NotFound("purpose_not_found", slug=slug)
        key, tz = purpose["id"], purpose["timezone"]
    last = current_month(tz, now)
    first = last
    for _ in range(months):
        first = previous_month(first)
    rows = await conn.fetch(READ_QUERY, key, first, last)
    figures = [_figures(row) for row in rows]
    return Overview(purpose=slug, timezone=tz,
                    as_of=max((f.computed_at for f in figures), default=None), months=figures)


def _figures(row: asyncpg.Record) -> MonthFigures:
    median = row["median_days_to_answer"]
    return MonthFigures(
        month=month_label(row["month"]), ideas=row["ideas"], votes=row["votes"],
        comments=row["comments"], participants=row["participants"],
        residents=row["residents"], staff=row["participants"] - row["residents"],
        verified=row["verified"], unverified=row["participants"] - row["verified"],
        promotions=row["promotions"], answers=row["answers"],
        median_days_to_answer=None if median is None else round(median, 1),
        overdue=row["overdue"], computed_at=row["computed_at"])


async def purpose_choices(conn: asyncpg.Connection) -> list[tuple[str, str]]:
    """Every purpose's slug and title, for the page's filter (no counts: it is read at
    every view, and the purposes' list with its idea counts is not cheap at scale)."""
    rows = await conn.fetch("SELECT slug, title FROM purposes ORDER BY title, slug")
    return [(row["slug"], row["title"]) for row in rows]
