"""The monthly top-ideas export: who may have it, what it covers, and its rows.

The rows are the recorded promotion result (``promotions``), with each idea's current
state beside it: its total votes, comments, status and latest public response. They
are read through a server-side cursor, so an export of any size takes the same memory.

Its vote counts agree with the promotion's: ``votes_in_month`` is the one recorded, and
``total_votes`` counts the idea's votes now by the rule the promotion counts by (people
eligible now under the purpose's rule, none held), not every vote ever cast.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import date, datetime
from zoneinfo import ZoneInfo

import asyncpg

from ideabox.accounts.schemas import Viewer
from ideabox.exports.schemas import ExportRow, ExportScope
from ideabox.ideas.deadline import deadline
from ideabox.identity.eligibility import eligible_voter
from ideabox.platform.db import unhurried
from ideabox.platform.errors import Forbidden, NotFound
from ideabox.platform.months import month_label

# How many rows the cursor fetches per round trip.
PREFETCH = 500

_FROM = """
FROM promotions pr
JOIN purposes p ON p.id = pr.purpose_id
JOIN ideas i ON i.id = pr.idea_id
JOIN users u ON u.id = i.author_id
WHERE pr.month = $1 AND ($2::bigint IS NULL OR pr.purpose_id = $2)
  AND ($3 OR i.status NOT IN ('hidden', 'pending_review'))
"""

# An idea's votes in all, as the promotion counts them: each vote's person is looked up
# by the primary key and asked the rule, a few microseconds a vote whatever PostgreSQL
# makes of the rest (joins of the exported ideas, their votes and the people the rule
# leaves out were planned as a scan of every person per row, or of every vote per such
# person: minutes for 1,000 rows).
_ROWS = f"""
SELECT p.slug AS purpose, p.timezone, pr.rank, pr.idea_id, i.title,
       u.display_name AS author, i.created_at AS posted_at, pr.votes_in_month,
       (SELECT count(*) FROM votes v
        WHERE v.idea_id = i.id
          AND (SELECT {eligible_voter("vu", at="$4", rule="p.eligibility", run="$4")}
               FROM users vu WHERE vu.id = v.voter_id))::int AS total_votes,
       (SELECT count(*) FROM comments c
        WHERE c.idea_id = i.id AND c.deleted_at IS NULL)::int AS comments,
       i.status,
       -- The administration's answers only: a moderator's reason is not one.
       (SELECT sc.response FROM idea_status_changes sc
        WHERE sc.idea_id = i.id AND sc.response IS NOT NULL AND sc.trigger = 'response'
        ORDER BY sc.created_at DESC, sc.id DESC LIMIT 1) AS response,
       i.assisted_by IS NOT NULL AS assisted,
       (SELECT c.slug FROM categories c WHERE c.id = i.category_id) AS category,
       p.answer_within_days,
       (SELECT min(sc.created_at) FROM idea_status_changes sc
        WHERE sc.idea_id = i.id AND sc.to_status = 'promoted') AS promoted_at,
       (SELECT min(sc.created_at) FROM idea_status_changes sc
        WHERE sc.idea_id = i.id AND sc.trigger = 'response') AS answered_at
{_FROM}
ORDER BY p.slug, pr.rank
"""  # noqa: S608 - constants spliced in; values go as $n


def ensure_may_export(viewer: Viewer) -> None:
    """Exports are for the administration: staff and administrators."""
    if not viewer.is_staff:
        raise Forbidden("staff_only_export")


async def find_scope(conn: asyncpg.Connection, viewer: Viewer | None, month: date,
                     slug: str | None, *, now: datetime) -> ExportScope:
    """What an export of ``month`` (one purpose or all) made at ``now`` covers; 404 if the
    purpose is unknown or no promotion of that month is on record. ``viewer`` None: the
    operator at the command line, who sees everything."""
    if viewer is not None:
        ensure_may_export(viewer)
    purpose_id: int | None = None
    if slug is not None:
        purpose_id = await conn.fetchval("SELECT id FROM purposes WHERE slug = $1", slug)
        if purpose_id is None:
            raise NotFound("purpose_not_found", slug=slug)
    recorded = await conn.fetchval(
        "SELECT EXISTS (SELECT 1 FROM promotion_runs WHERE month = $1 "
        "AND ($2::bigint IS NULL OR purpose_id = $2))", month, purpose_id)
    if not recorded:
        where = f"of '{slug}'" if slug else "of any purpose"
        raise NotFound("export_not_found", month=month_label(month), scope=where)
    return ExportScope(month=month, purpose_id=purpose_id, purpose=slug,
                       include_hidden=viewer is None or viewer.is_moderator, now=now)


async def count_rows(conn: asyncpg.Connection, scope: ExportScope) -> int:
    """How many rows the export has (for progress bars)."""
    count: int = await conn.fetchval("SELECT count(*) " + _FROM, scope.month,
                                     scope.purpose_id, scope.include_hidden)
    return count


def _local(moment: datetime | None, tz: ZoneInfo) -> datetime | None:
    """A timestamp as the export writes it: in the purpose's zone, to the second."""
    return None if moment is None else moment.astimezone(tz).replace(microsecond=0)


def _row(record: asyncpg.Record, month: str, base_url: str, now: datetime) -> ExportRow:
    tz = ZoneInfo(record["timezone"])
    posted = record["posted_at"].astimezone(tz).replace(microsecond=0)
    due = deadline(record["promoted_at"], record["answer_within_days"], record["answered_at"],
                   now)
    return ExportRow(
        month=month, purpose=record["purpose"], rank=record["rank"],
        idea_id=record["idea_id"], title=record["title"], author=record["author"],
        posted_at=posted, votes_in_month=record["votes_in_month"],
        total_votes=record["total_votes"], comments=record["comments"],
        status=record["status"], response=record["response"],
        url=f"{base_url.rstrip('/')}/ideas/{record['idea_id']}",
        answer_due=_local(due.answer_due, tz), answered_at=_local(due.answered_at, tz),
        overdue=due.overdue, category=record["category"], assisted=record["assisted"],
    )


async def export_rows(conn: asyncpg.Connection, scope: ExportScope,
                      base_url: str) -> AsyncIterator[ExportRow]:
    """The export's rows in order, read through a server-side cursor (``conn`` must be
    in a transaction)."""
    month = month_label(scope.month)
    async for record in conn.cursor(_ROWS, scope.month, scope.purpose_id,
                                    scope.include_hidden, scope.now, prefetch=PREFETCH):
        yield _row(record, month, base_url, scope.now)


async def rows_from_pool(pool: asyncpg.Pool, scope: ExportScope,
                         base_url: str) -> AsyncIterator[ExportRow]:
    """The export's rows on a connection of their own: a streamed response is sent after
    the request's connection has gone back to the pool."""
    async with pool.acquire() as conn, conn.transaction(readonly=True):
        await unhurried(conn)  # a large export streams for as long as it takes
        async for row in export_rows(conn, scope, base_url):
            yield row
