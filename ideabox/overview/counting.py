"""Counting the overview's figures into ``overview_months``: the rollup the page reads.

A month that is over is counted once after it ends, and again only when something may
have changed it since: a vote of that month retracted, an idea of that month published
after review, a person's role or a purpose's answer deadline or time zone changed (the
last two are fingerprinted and count every month again), or a day gone by (a full count,
which catches what the rest cannot see). The month under way is counted at every round.
A round holds a transaction-level advisory lock, tried and not waited for: of several
instances refreshing at once, one counts and the others skip the round.

The definitions (the page says them too):
- ideas: posted in the month, except those still waiting for review;
- votes: cast in the month and still standing; comments: written in the month;
- participants: distinct people who posted, commented or voted in the month, split by
  their role (residents, and staff: staff, moderators, administrators) and by whether
  they were verified by the month's end;
- promotions: ideas promoted in the month (the first status change into ``promoted``);
- answers: ideas first answered in public in the month (the first status change with
  trigger ``response``), and the median days from promotion to that answer;
- overdue: promoted ideas unanswered at the month's end (for the month under way: at the
  moment of counting) whose answer was due before then (promoted + the purpose's
  ``answer_within_days`` × 24 hours).
"""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Iterable, Iterator
from datetime import date, datetime, timedelta

import asyncpg

from ideabox.platform.db import planned_for_these_parameters, unhurried
from ideabox.platform.months import current_month, month_bounds, month_of, next_month

log = logging.getLogger(__name__)

OVERALL = 0
OVERALL_ZONE = "Europe/Copenhagen"
# Everything is counted again this often, whatever the late-change checks found.
FULL_COUNT_EVERY = timedelta(days=1)
# A change stamped shortly before a round may commit after the round has read: the next
# round looks back this far beyond the previous one.
LOOKBACK = timedelta(minutes=5)

# One statement counts a month for a set of purposes sharing a time zone (a row each),
# or, with $5, for all of them together (one row, key 0), and writes the rows.
# $1 purpose ids, $2/$3 the month's [start, end), $4 the instant of counting, $5 overall,
# $6 the month.
_COUNT = """
WITH scope AS (
    SELECT id, answer_within_days FROM purposes WHERE id = ANY($1::bigint[])
), keys AS (
    SELECT DISTINCT CASE WHEN $5::boolean THEN 0 ELSE id END AS key FROM scope
), posted AS (
    SELECT CASE WHEN $5 THEN 0 ELSE i.purpose_id END AS key, i.author_id AS person
    FROM ideas i
    WHERE i.purpose_id = ANY($1) AND i.created_at >= $2::timestamptz
      AND i.created_at < $3::timestamptz AND i.status <> 'pending_review'
), cast_votes AS (
    SELECT CASE WHEN $5 THEN 0 ELSE i.purpose_id END AS key, v.voter_id AS person
    FROM votes v JOIN ideas i ON i.id = v.idea_id
    WHERE i.purpose_id = ANY($1) AND v.created_at >= $2 AND v.created_at < $3
), said AS (
    SELECT CASE WHEN $5 THEN 0 ELSE i.purpose_id END AS key, c.author_id AS person
    FROM comments c JOIN ideas i ON i.id = c.idea_id
    WHERE i.purpose_id = ANY($1) AND c.created_at >= $2 AND c.created_at < $3
), people AS (
    SELECT key, person FROM posted
    UNION SELECT key, person FROM cast_votes
    UNION SELECT key, person FROM said
), idea_counts AS (
    SELECT key, count(*) AS n FROM posted GROUP BY key
), vote_counts AS (
    SELECT key, count(*) AS n FROM cast_votes GROUP BY key
), comment_counts AS (
    SELECT key, count(*) AS n FROM said GROUP BY key
), persons AS (
    SELECT p.key, count(*) AS participants,
           count(*) FILTER (WHERE u.role = 'resident') AS residents,
           count(*) FILTER (WHERE u.verified_at <= least($3, $4::timestamptz)) AS verified
    FROM people p JOIN users u ON u.id = p.person
    GROUP BY p.key
), promoted AS (
    SELECT CASE WHEN $5 THEN 0 ELSE i.purpose_id END AS key, sc.idea_id,
           min(sc.created_at) AS promoted_at, s.answer_within_days
    FROM idea_status_changes sc
    JOIN ideas i ON i.id = sc.idea_id
    JOIN scope s ON s.id = i.purpose_id
    WHERE sc.to_status = 'promoted'
    GROUP BY 1, sc.idea_id, s.answer_within_days
), answered AS (
    SELECT CASE WHEN $5 THEN 0 ELSE i.purpose_id END AS key, sc.idea_id,
           min(sc.created_at) AS answered_at
    FROM idea_status_changes sc JOIN ideas i ON i.id = sc.idea_id
    WHERE sc.trigger = 'response' AND i.purpose_id = ANY($1)
    GROUP BY 1, sc.idea_id
), answers AS (
    SELECT a.key, count(*) AS answers,
           percentile_cont(0.5) WITHIN GROUP (
               ORDER BY extract(epoch FROM a.answered_at - p.promoted_at) / 86400)
               FILTER (WHERE p.promoted_at IS NOT NULL) AS median_days
    FROM answered a LEFT JOIN promoted p ON p.idea_id = a.idea_id
    WHERE a.answered_at >= $2 AND a.answered_at < $3
    GROUP BY a.key
), promotions AS (
    SELECT p.key,
           count(*) FILTER (WHERE p.promoted_at >= $2 AND p.promoted_at < $3) AS promotions,
           count(*) FILTER (
               WHERE p.promoted_at + make_interval(hours => 24 * p.answer_within_days)
                     < least($3, $4)
                 AND (a.answered_at IS NULL OR a.answered_at >= least($3, $4))) AS overdue
    FROM promoted p LEFT JOIN answered a ON a.idea_id = p.idea_id
    WHERE p.promoted_at < least($3, $4)
    GROUP BY p.key
)
INSERT INTO overview_months AS o (purpose_id, month, ideas, votes, comments, participants,
                                  residents, verified, promotions, answers,
                                  median_days_to_answer, overdue, computed_at)
SELECT k.key, $6::date,
       coalesce(ic.n, 0), coalesce(vc.n, 0), coalesce(cc.n, 0),
       coalesce(pe.participants, 0), coalesce(pe.residents, 0), coalesce(pe.verified, 0),
       coalesce(pr.promotions, 0), coalesce(an.answers, 0), an.median_days,
       coalesce(pr.overdue, 0), $4
FROM keys k
LEFT JOIN idea_counts ic ON ic.key = k.key
LEFT JOIN vote_counts vc ON vc.key = k.key
LEFT JOIN comment_counts cc ON cc.key = k.key
LEFT JOIN persons pe ON pe.key = k.key
LEFT JOIN answers an ON an.key = k.key
LEFT JOIN promotions pr ON pr.key = k.key
ON CONFLICT (purpose_id, month) DO UPDATE SET
    ideas = EXCLUDED.ideas, votes = EXCLUDED.votes, comments = EXCLUDED.comments,
    participants = EXCLUDED.participants, residents = EXCLUDED.residents,
    verified = EXCLUDED.verified, promotions = EXCLUDED.promotions,
    answers = EXCLUDED.answers, median_days_to_answer = EXCLUDED.median_days_to_answer,
    overdue = EXCLUDED.overdue, computed_at = EXCLUDED.computed_at
"""

# Each purpose from the first month anything happened in it.
_PURPOSES = """
SELECT p.id, p.timezone,
       least(p.created_at, (SELECT min(i.created_at) FROM ideas i WHERE i.purpose_id = p.id))
           AS since
FROM purposes p ORDER BY p.id
"""

# Who is staff, and each purpose's deadline and zone: every month's figures depend on them.
_KEYS = """
SELECT (SELECT md5(coalesce(string_agg(id::text || role, ',' ORDER BY id), ''))
        FROM users WHERE role <> 'resident') AS staff_key,
       (SELECT md5(coalesce(string_agg(id::text || ':' || answer_within_days || ':' || timezone,
                                       ',' ORDER BY id), ''))
        FROM purposes) AS purposes_key
"""

# The moments of months that are over and changed since ``$1``.
_LATE = """
SELECT i.purpose_id, r.cast_at AS at
FROM vote_retractions r JOIN ideas i ON i.id = r.idea_id
WHERE r.retracted_at >= $1
UNION
SELECT i.purpose_id, i.created_at
FROM idea_status_changes sc JOIN ideas i ON i.id = sc.idea_id
WHERE sc.from_status = 'pending_review' AND sc.created_at >= $1
"""

_SAVE_STATE = """
INSERT INTO overview_refreshes AS r (singleton, refreshed_at, full_count_at, staff_key,
                                     purposes_key)
VALUES (true, $1, $2, $3, $4)
ON CONFLICT (singleton) DO UPDATE SET refreshed_at = EXCLUDED.refreshed_at,
    full_count_at = EXCLUDED.full_count_at, staff_key = EXCLUDED.staff_key,
    purposes_key = EXCLUDED.purposes_key
"""

_LOCK = "SELECT pg_try_advisory_xact_lock(hashtextextended('ideabox:overview', 0))"


def months_from(first: date, last: date) -> Iterator[date]:
    """Every month from ``first`` to ``last``, both included."""
    month = first
    while month <= last:
        yield month
        month = next_month(month)


def _stale(key: int, tz: str, since: datetime, now: datetime,
           computed: dict[tuple[int, date], datetime], late: set[tuple[int, date]],
           everything: bool) -> Iterable[date]:
    """The months of ``key`` (in ``tz``) to count at ``now``."""
    for month in months_from(month_of(since, tz), current_month(tz, now)):
        at = computed.get((key, month))
        if everything or at is None or at < month_bounds(month, tz)[1] or (key, month) in late:
            yield month


async def refresh_overview(pool: asyncpg.Pool, now: datetime, *,
                           everything: bool = False) -> int | None:
    """Count every month that needs it at ``now``; the number of rows written, or None
    when another instance is counting (its round does the work)."""
    async with pool.acquire() as conn, conn.transaction():
        if not await conn.fetchval(_LOCK):
            return None
        await unhurried(conn)
        state = await conn.fetchrow("SELECT * FROM overview_refreshes")
        keys = await conn.fetchrow(_KEYS)
        assert keys is not None
        purposes = await conn.fetch(_PURPOSES)
        everything = (everything or state is None or state["staff_key"] != keys["staff_key"]
                      or state["purposes_key"] != keys["purposes_key"]
                      or now - state["full_count_at"] >= FULL_COUNT_EVERY)
        computed = {(r["purpose_id"], r["month"]): r["computed_at"] for r in await conn.fetch(
            "SELECT purpose_id, month, computed_at FROM overview_months")}
        zones = {p["id"]: p["timezone"] for p in purposes}
        late: set[tuple[int, date]] = set()
        if state is not None and not everything:
            for row in await conn.fetch(_LATE, state["refreshed_at"] - LOOKBACK):
                if row["purpose_id"] in zones:
                    late.add((row["purpose_id"], month_of(row["at"], zones[row["purpose_id"]])))
                    late.add((OVERALL, month_of(row["at"], OVERALL_ZONE)))
        groups: dict[tuple[str, date], list[int]] = defaultdict(list)
        for purpose in purposes:
            for month in _stale(purpose["id"], purpose["timezone"], purpose["since"], now,
                                computed, late, everything):
                groups[(purpose["timezone"], month)].append(purpose["id"])
        overall: list[date] = []
        if purposes:
            first = min(p["since"] for p in purposes)
            overall = list(_stale(OVERALL, OVERALL_ZONE, first, now, computed, late,
                                  everything))
        all_ids = [p["id"] for p in purposes]
        async with planned_for_these_parameters(conn):
            for (tz, month), ids in sorted(groups.items()):
                start, end = month_bounds(month, tz)
                await conn.execute(_COUNT, ids, start, end, now, False, month)
            for month in overall:
                start, end = month_bounds(month, OVERALL_ZONE)
                await conn.execute(_COUNT, all_ids, start, end, now, True, month)
        await conn.execute(_SAVE_STATE, now,
                           now if everything or state is None else state["full_count_at"],
                           keys["staff_key"], keys["purposes_key"])
        written = sum(len(ids) for ids in groups.values()) + len(overall)
        log.debug("overview counted", extra={"rows": written, "everything": everything})
        return written
