"""``ideabox promote --verify``: recompute a recorded promotion from the logs and compare.

The recomputation is deliberately independent of the live ranking query: it rebuilds
the state at the moment the promotion ran (``promotion_runs.ran_at``, the time of its
transaction) from history instead of reading current columns:

- which ideas were open: the last ``idea_status_changes`` entry before ``ran_at``;
- which votes stood: those still in ``votes``, plus those retracted after ``ran_at``
  (``vote_retractions``, written by the statement that retracts a vote);
- which of them counted: by the eligibility rule recorded with the run, of people
  eligible at the month's end and not held at ``ran_at`` (a retraction recorded before
  retractions kept the voter counts, as every vote did then; a run recorded before
  eligibility counts every vote);
- ``promote_top_n`` and ``min_votes`` as recorded with the run.

Anything a concurrent transaction changed within the few milliseconds between the
start of the promotion's transaction and its ranking query can show up as a difference.
"""

from __future__ import annotations

from datetime import date

import asyncpg

from ideabox.identity.eligibility import eligible_voter
from ideabox.platform.db import planned_for_these_parameters
from ideabox.platform.months import month_bounds, month_label
from ideabox.promotion.schemas import Difference, Verification

_RECOMPUTE = f"""
WITH status_then AS (
    SELECT DISTINCT ON (sc.idea_id) sc.idea_id, sc.to_status
    FROM idea_status_changes sc JOIN ideas i ON i.id = sc.idea_id
    WHERE i.purpose_id = $1 AND sc.created_at < $4
    ORDER BY sc.idea_id, sc.created_at DESC, sc.id DESC
), open_then AS (
    -- An idea with no history before the run was open: ideas start open.
    SELECT i.id, i.created_at
    FROM ideas i LEFT JOIN status_then s ON s.idea_id = i.id
    WHERE i.purpose_id = $1 AND i.created_at < $3 AND coalesce(s.to_status, 'open') = 'open'
), excluded AS MATERIALIZED (
    SELECT u.id FROM users u
    WHERE NOT {eligible_voter("u", at="$3", rule="$7::text", run="$4")}
), standing AS (
    SELECT v.idea_id, v.created_at, x.id IS NULL AS counts
    FROM votes v JOIN open_then o ON o.id = v.idea_id
    LEFT JOIN excluded x ON x.id = v.voter_id
    WHERE v.created_at < $3
    UNION ALL
    -- A retraction that names no voter (recorded before they were named) counts.
    SELECT r.idea_id, r.cast_at, x.id IS NULL
    FROM vote_retractions r JOIN open_then o ON o.id = r.idea_id
    LEFT JOIN excluded x ON x.id = r.voter_id
    WHERE r.cast_at < $3 AND r.retracted_at > $4
), counted AS (
    SELECT o.id, o.created_at,
           count(s.idea_id) FILTER (WHERE s.counts AND s.created_at >= $2) AS votes_in_month,
           count(s.idea_id) FILTER (WHERE s.counts) AS total_votes,
           count(s.idea_id) FILTER (WHERE NOT s.counts AND s.created_at >= $2) AS left_out
    FROM open_then o LEFT JOIN standing s ON s.idea_id = o.id
    GROUP BY o.id, o.created_at
)
SELECT c.idea_id, c.votes_in_month, c.total_votes, s.not_counted
FROM (SELECT coalesce(sum(left_out), 0)::int AS not_counted FROM counted) s
LEFT JOIN LATERAL (
    SELECT id AS idea_id, votes_in_month::int, total_votes::int, created_at FROM counted
    WHERE votes_in_month >= $5
    ORDER BY votes_in_month DESC, total_votes DESC, created_at, id
    LIMIT $6
) c ON true
ORDER BY c.votes_in_month DESC, c.total_votes DESC, c.created_at, c.idea_id
"""  # noqa: S608 - the eligibility rule's SQL spliced in; values go as $n

_RUN = """
SELECT r.ran_at, coalesce(r.promote_top_n, p.promote_top_n) AS top_n,
       coalesce(r.min_votes, p.min_votes) AS min_votes, r.eligibility, r.votes_not_counted
FROM promotion_runs r JOIN purposes p ON p.id = r.purpose_id
WHERE r.purpose_id = $1 AND r.month = $2
"""

_RECORDED = """
SELECT pr.rank, pr.idea_id, pr.votes_in_month, pr.total_votes,
       EXISTS (SELECT 1 FROM idea_status_changes sc
               WHERE sc.idea_id = pr.idea_id AND sc.to_status = 'promoted'
                 AND sc.trigger LIKE 'promotion:%') AS in_history
FROM promotions pr WHERE pr.purpose_id = $1 AND pr.month = $2 ORDER BY pr.rank
"""


def _counts(row: asyncpg.Record) -> str:
    return f"{row['votes_in_month']} votes in the month, {row['total_votes']} in all"


def compare(recorded: list[asyncpg.Record], expected: list[asyncpg.Record]) -> list[Difference]:
    """The differences between the recorded and the recomputed ranking, rank by rank."""
    differences: list[Difference] = []
    for index in range(max(len(recorded), len(expected))):
        rank = index + 1
        got = recorded[index] if index < len(recorded) else None
        want = expected[index] if index < len(expected) else None
        if got is None and want is not None:
            differences.append(Difference(rank, f"idea {want['idea_id']} ({_counts(want)}) "
                                                f"should have been promoted"))
        elif want is None and got is not None:
            differences.append(Difference(rank, f"idea {got['idea_id']} was promoted, but "
                                                f"no idea qualifies for this rank"))
        elif got is not None and want is not None:
            if got["idea_id"] != want["idea_id"]:
                differences.append(Difference(
                    rank, f"idea {got['idea_id']} was promoted ({_counts(got)}), but idea "
                          f"{want['idea_id']} ranks here ({_counts(want)})"))
            elif (got["votes_in_month"], got["total_votes"]) != \
                    (want["votes_in_month"], want["total_votes"]):
                differences.append(Difference(
                    rank, f"idea {got['idea_id']} was recorded with {_counts(got)}; "
                          f"recomputed: {_counts(want)}"))
        if got is not None and not got["in_history"]:
            differences.append(Difference(rank, f"idea {got['idea_id']} has no 'promoted' "
                                                f"entry in its status history"))
    return differences


async def verify_purpose(conn: asyncpg.Connection, purpose: asyncpg.Record,
                         month: date) -> Verification:
    """Recompute one purpose's promotion of ``month`` and compare it with the record."""
    if conn.is_in_transaction():
        return await _verify(conn, purpose, month)
    # One snapshot for the recomputation and the record it is compared with.
    async with conn.transaction(isolation="repeatable_read", readonly=True):
        return await _verify(conn, purpose, month)


async def _verify(conn: asyncpg.Connection, purpose: asyncpg.Record,
                  month: date) -> Verification:
    label = month_label(month)
    run = await conn.fetchrow(_RUN, purpose["id"], month)
    if run is None:
        return Verification(purpose=purpose["slug"], month=label, recorded=False,
                            differences=[Difference(None, "no promotion is recorded")])
    start, end = month_bounds(month, purpose["timezone"])
    async with planned_for_these_parameters(conn):
        rows = await conn.fetch(_RECOMPUTE, purpose["id"], start, end, run["ran_at"],
                                run["min_votes"], run["top_n"], run["eligibility"])
    expected = [r for r in rows if r["idea_id"] is not None]
    recorded = await conn.fetch(_RECORDED, purpose["id"], month)
    differences = compare(list(recorded), expected)
    left_out = rows[0]["not_counted"]
    if run["votes_not_counted"] is not None and run["votes_not_counted"] != left_out:
        differences.append(Difference(None, f"{run['votes_not_counted']} vote(s) were recorded "
                                            f"as not counted; recomputed: {left_out}"))
    return Verification(purpose=purpose["slug"], month=label, recorded=True,
                        differences=differences)
