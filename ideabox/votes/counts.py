"""Vote counts straight from PostgreSQL: each idea's ``idea_tallies`` row, the truth the
Redis tallies copy, and the fall-back when Redis is down or not yet believed."""

from __future__ import annotations

from collections.abc import Sequence

import asyncpg

from ideabox.votes.tallies import IdeaCounts

INVISIBLE = ("hidden", "withdrawn", "pending_review")

_SELECT = """
SELECT i.id AS idea_id,
       extract(epoch FROM i.created_at)::float8 AS created,
       i.status NOT IN ('hidden', 'withdrawn', 'pending_review') AS visible,
       coalesce(t.votes, 0) AS total, t.month, coalesce(t.month_votes, 0) AS month_votes,
       coalesce(t.version, 0) AS version
FROM ideas i
LEFT JOIN idea_tallies t ON t.idea_id = i.id
"""

# Recount ideas' tallies from the votes themselves, for writes that bypass the vote
# statements (a bulk load, a repair by hand): the month counted is the month of the
# latest vote, in the purpose's time zone. The version moves on, so Redis takes it.
# Each idea's votes are counted per month once, and the latest month's count joined
# back: a count per idea over all the votes took hours for a million of them.
RECOUNT = """
WITH stamped AS (
    SELECT v.idea_id, date_trunc('month', v.created_at AT TIME ZONE p.timezone)::date AS month
    FROM votes v
    JOIN ideas i ON i.id = v.idea_id
    JOIN purposes p ON p.id = i.purpose_id
    WHERE v.idea_id = ANY($1::bigint[])
), per_month AS (
    SELECT idea_id, month, count(*)::int AS n FROM stamped GROUP BY idea_id, month
), counted AS (
    SELECT i.id AS idea_id, coalesce(sum(m.n), 0)::int AS votes, max(m.month) AS month
    FROM ideas i LEFT JOIN per_month m ON m.idea_id = i.id
    WHERE i.id = ANY($1::bigint[])
    GROUP BY i.id
)
INSERT INTO idea_tallies AS t (idea_id, votes, month, month_votes, version)
SELECT c.idea_id, c.votes, c.month, coalesce(latest.n, 0), 1
FROM counted c
LEFT JOIN per_month latest ON latest.idea_id = c.idea_id AND latest.month = c.month
WHERE c.votes > 0 OR EXISTS (SELECT 1 FROM idea_tallies x WHERE x.idea_id = c.idea_id)
ON CONFLICT (idea_id) DO UPDATE
SET votes = excluded.votes, month = excluded.month, month_votes = excluded.month_votes,
    version = t.version + 1
"""


def _counts(row: asyncpg.Record) -> IdeaCounts:
    return IdeaCounts(idea_id=row["idea_id"], total=row["total"], month=row["month"],
                      month_votes=row["month_votes"], version=row["version"],
                      created=row["created"], visible=row["visible"])


async def idea_counts(conn: asyncpg.Connection,
                      idea_ids: Sequence[int]) -> dict[int, IdeaCounts]:
    """The counts of some ideas."""
    if not idea_ids:
        return {}
    rows = await conn.fetch(_SELECT + "WHERE i.id = ANY($1::bigint[])", list(idea_ids))
    return {row["idea_id"]: _counts(row) for row in rows}


async def purpose_counts(conn: asyncpg.Connection, purpose_id: int) -> list[IdeaCounts]:
    """The counts of every idea of a purpose."""
    return [_counts(row)
            for row in await conn.fetch(_SELECT + "WHERE i.purpose_id = $1", purpose_id)]


async def recount(conn: asyncpg.Connection, idea_ids: Sequence[int]) -> None:
    """Make ideas' tallies right again from their votes (after writes that bypassed the
    vote statements)."""
    if idea_ids:
        await conn.execute(RECOUNT, list(idea_ids))
