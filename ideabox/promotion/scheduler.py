"""The promotion inside ``serve``: each month, shortly after it ends in each purpose's time
zone, and every month missed while no instance was running.

The elected leader runs this loop (``ideabox.election``); whichever instance is up
leads. Should two ever run it at once, that is safe: the promotion of a month happens
once, under its lock, and the other finds it recorded.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass
from datetime import date, datetime, timedelta

import asyncpg

from ideabox.metrics.counters import promotion_ran
from ideabox.platform.db import CONNECTION_ERRORS
from ideabox.platform.errors import IdeaboxError
from ideabox.platform.months import month_bounds, month_label, month_of, next_month
from ideabox.promotion.schemas import Promotion
from ideabox.promotion.service import promote_on_own
from ideabox.services import Services

log = logging.getLogger(__name__)

# Longest sleep between checks: a purpose created meanwhile in a zone east of the
# others ends its month earlier than the loop planned for.
MAX_SLEEP = 300.0
RETRY_AFTER_FAILURE = 30.0


@dataclass(frozen=True)
class Due:
    slug: str
    month: date


async def due_months(conn: asyncpg.Connection, now: datetime, delay: timedelta) -> list[Due]:
    """Months to promote at ``now``: every month of every purpose, from the month it was
    created in, that ended at least ``delay`` ago and has no run on record; oldest first."""
    purposes = await conn.fetch("SELECT id, slug, timezone, created_at FROM purposes ORDER BY id")
    done = {(r["purpose_id"], r["month"])
            for r in await conn.fetch("SELECT purpose_id, month FROM promotion_runs")}
    due: list[Due] = []
    for purpose in purposes:
        tz = purpose["timezone"]
        month = month_of(purpose["created_at"], tz)
        while month_bounds(month, tz)[1] + delay <= now:
            if (purpose["id"], month) not in done:
                due.append(Due(purpose["slug"], month))
            month = next_month(month)
    return due


async def next_check(conn: asyncpg.Connection, now: datetime, delay: timedelta) -> datetime:
    """When the next month becomes due (at most MAX_SLEEP from ``now``)."""
    latest = now + timedelta(seconds=MAX_SLEEP)
    for row in await conn.fetch("SELECT DISTINCT timezone FROM purposes"):
        tz = row["timezone"]
        # In the first ``delay`` after a month ends, that month is the next one due.
        due = month_bounds(month_of(now - delay, tz), tz)[1] + delay
        latest = min(latest, due)
    return latest


async def promote_due(services: Services, now: datetime) -> list[Promotion]:
    """One round of the schedule: promote every month due at ``now``. A purpose whose
    promotion fails is logged and left for the next round; the others go on."""
    delay = services.promotion_delay
    async with services.pool.acquire() as conn:
        due = await due_months(conn, now, delay)
    results: list[Promotion] = []
    for item in due:
        try:
            result = await promote_on_own(services, item.slug, item.month,
                                          trigger="promotion:schedule", now=now)
        except IdeaboxError as exc:
            log.error("promotion of %s %s failed: %s", item.slug, month_label(item.month),
                      exc.detail)
            promotion_ran("failed")
            continue
        promotion_ran("promoted")
        log.info("promoted %s %s", result.purpose, result.month,
                 extra={"ideas": [i.idea_id for i in result.items]})
        results.append(result)
    return results


async def promote_forever(services: Services) -> None:
    """The background task: promote what is due, then sleep until the next month is."""
    delay = services.promotion_delay
    clock = services.clock
    while True:
        try:
            await promote_due(services, clock.now())
            async with services.pool.acquire() as conn:
                wake = await next_check(conn, clock.now(), delay)
            pause = (wake - clock.now()).total_seconds()
        except CONNECTION_ERRORS as exc:
            log.warning("monthly promotion check skipped, database unreachable: %s", exc)
            pause = RETRY_AFTER_FAILURE
        await asyncio.sleep(min(max(pause, 1.0), MAX_SLEEP))
