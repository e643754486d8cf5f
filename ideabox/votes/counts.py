"""Vote counts straight from PostgreSQL: the truth the Redis tallies are checked against,
and the fall-back when Redis is down or not yet believed."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

import asyncpg

from ideabox.months import month_bounds
from ideabox.votes.tallies import IdeaCounts, Tally

INVISIBLE = ("hidden", "withdrawn")

# Both counts come from the primary key's leaf (idea_id, voter_id INCLUDE created_at):
# an index-only scan per idea.
_IDEA_COUNTS = """
SELECT i.id AS idea_id,
       extract(epoch FROM i.created_at)::float8 AS created,
       i.status NOT IN ('hidden', 'withdrawn') AS visible,
       (SELECT count(*) FROM votes v WHERE v.idea_id = i.id) AS total,
       (SELECT count(*) FROM votes v
        WHERE v.idea_id = i.id AND v.created_at >= $2 AND v.created_at < $3) AS month
FROM ideas i
WHERE i.id = ANY($1::bigint[])
"""

# One pass over a purpose's votes, for rebuilding all its tallies at once.
_PURPOSE_COUNTS = """
SELECT i.id AS idea_id,
       extract(epoch FROM i.created_at)::float8 AS created,
       i.status NOT IN ('hidden', 'withdrawn') AS visible,
       coalesce(v.total, 0) AS total,
       coalesce(v.month, 0) AS month
FROM ideas i
LEFT JOIN (
    SELECT idea_id, count(*) AS total,
           count(*) FILTER (WHERE created_at >= $2 AND created_at < $3) AS month
    FROM votes
    WHERE idea_id IN (SELECT id FROM ideas WHERE purpose_id = $1)
    GROUP BY idea_id
) v ON v.idea_id = i.id
WHERE i.purpose_id = $1
"""


def _counts(row: asyncpg.Record) -> IdeaCounts:
    return IdeaCounts(idea_id=row["idea_id"], total=row["total"], month=row["month"],
                      created=row["created"], visible=row["visible"])


async def idea_counts(conn: asyncpg.Connection, idea_ids: Sequence[int], month: date,
                      tz: str) -> dict[int, IdeaCounts]:
    """Counts for some ideas (of purposes sharing the time zone ``tz``)."""
    if not idea_ids:
        return {}
    start, end = month_bounds(month, tz)
    rows = await conn.fetch(_IDEA_COUNTS, list(idea_ids), start, end)
    return {row["idea_id"]: _counts(row) for row in rows}


async def purpose_counts(conn: asyncpg.Connection, purpose_id: int, month: date,
                         tz: str) -> list[IdeaCounts]:
    """Counts for every idea of a purpose."""
    start, end = month_bounds(month, tz)
    return [_counts(row) for row in await conn.fetch(_PURPOSE_COUNTS, purpose_id, start, end)]


def as_tally(counts: IdeaCounts) -> Tally:
    return Tally(total=counts.total, month=counts.month)
