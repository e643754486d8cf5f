"""Promoting a month of a purpose: rank, record, change statuses, notify — exactly once.

The rule (README, "The monthly promotion"): of the purpose's ideas that are open when
the promotion runs (and were posted before the month ended), rank by the votes cast in
the month that still stand; ties go to more total votes (cast up to the end of the
month, still standing), then the earlier idea, then the lower id. The top
``promote_top_n`` with at least ``min_votes`` votes in the month are promoted. Only the
votes of people eligible at the month's end count (``ideabox.identity.eligibility``),
and none a moderator holds when the promotion runs.

One transaction per (purpose, month), under a transaction-level advisory lock on the
purpose: whoever comes second (another worker, instance, CLI or API call) waits, then
finds the run recorded and answers it. The primary keys of ``promotion_runs`` and
``promotions`` and UNIQUE(promotions.idea_id) hold the line should the lock ever fail.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import date, datetime

import asyncpg

from ideabox.accounts.schemas import Viewer
from ideabox.ideas.service import may_see, set_status
from ideabox.identity.eligibility import eligible_voter
from ideabox.notifications.service import notify_status_changes
from ideabox.platform.db import Db, planned_for_these_parameters, unhurried
from ideabox.platform.errors import Conflict, Forbidden, NotFound
from ideabox.platform.months import month_bounds, month_label
from ideabox.promotion.schemas import PromotedIdea, Promotion, Trigger
from ideabox.services import Services

# The two-key advisory lock space (namespace, purpose); the one-key space used by the
# migrations and the cache reconciler does not overlap with it.
LOCK_NAMESPACE = 0x1DEA_0003
# Ranking and locking the winners are two statements; an idea withdrawn or hidden in
# between means ranking again. More attempts than this is a storm, not a race.
RANK_ATTEMPTS = 5

# One query over the month's votes joined to the purpose's open ideas. Votes are read
# through the BRIN index on created_at; only the ideas tied with the N-th place have
# their total counted (an index-only scan of the votes primary key each).
#
# A vote counts when its person was eligible at the month's end ($3) under the purpose's
# rule ($6), and their votes were not held when the promotion runs ($7): both the votes
# in the month and the total that breaks ties. The rule is asked once per person, of
# everybody, and the few who fail it are kept aside (``excluded``): each vote is then
# one probe of that small set, rather than a join to its person and the rule asked again
# for each vote, which made the ranking six times slower. The votes left out are counted
# too, for the record. The first row always comes, with no idea if none qualifies, so
# that that count is never lost.
RANK_QUERY = f"""
WITH open_ideas AS (
    SELECT i.id, i.created_at FROM ideas i
    WHERE i.purpose_id = $1 AND i.status = 'open' AND i.created_at < $3
), excluded AS MATERIALIZED (
    SELECT u.id FROM users u
    WHERE NOT {eligible_voter("u", at="$3", rule="$6::text", run="$7")}
), in_month AS (
    SELECT v.idea_id, count(*) FILTER (WHERE x.id IS NULL) AS n, count(x.id) AS left_out
    FROM votes v
    JOIN open_ideas o ON o.id = v.idea_id
    LEFT JOIN excluded x ON x.id = v.voter_id
    WHERE v.created_at >= $2 AND v.created_at < $3
    GROUP BY v.idea_id
), qualified AS (
    SELECT o.id, o.created_at, coalesce(m.n, 0) AS votes_in_month
    FROM open_ideas o LEFT JOIN in_month m ON m.idea_id = o.id
    WHERE coalesce(m.n, 0) >= $5
), cutoff AS (
    SELECT min(votes_in_month) AS at_least
    FROM (SELECT votes_in_month FROM qualified ORDER BY votes_in_month DESC LIMIT $4) top
), ranked AS (
    SELECT q.id AS idea_id, q.created_at, i.title, q.votes_in_month::int AS votes_in_month,
           (SELECT count(*) FROM votes t LEFT JOIN excluded tx ON tx.id = t.voter_id
            WHERE t.idea_id = q.id AND t.created_at < $3 AND tx.id IS NULL)::int
           AS total_votes
    FROM qualified q
    JOIN ideas i ON i.id = q.id
    CROSS JOIN cutoff
    WHERE q.votes_in_month >= cutoff.at_least
    ORDER BY q.votes_in_month DESC, total_votes DESC, q.created_at, q.id
    LIMIT $4
)
SELECT r.idea_id, r.title, r.votes_in_month, r.total_votes, s.not_counted
FROM (SELECT coalesce(sum(left_out), 0)::int AS not_counted FROM in_month) s
LEFT JOIN ranked r ON true
ORDER BY r.votes_in_month DESC, r.total_votes DESC, r.created_at, r.idea_id
"""  # noqa: S608 - the eligibility rule's SQL spliced in; values go as $n

_RECORD_RUN = """
INSERT INTO promotion_runs (purpose_id, month, trigger, triggered_by, promote_top_n, min_votes,
                            ran_at, eligibility)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
ON CONFLICT DO NOTHING
RETURNING ran_at
"""

_RECORD_PROMOTIONS = """
INSERT INTO promotions (purpose_id, month, rank, idea_id, votes_in_month, total_votes)
SELECT $1, $2, r.rank, r.idea_id, r.votes_in_month, r.total_votes
FROM unnest($3::int[], $4::bigint[], $5::int[], $6::int[])
     AS r(rank, idea_id, votes_in_month, total_votes)
"""

_RUN = """
SELECT r.ran_at, r.trigger, r.eligibility, r.votes_not_counted
FROM promotion_runs r WHERE r.purpose_id = $1 AND r.month = $2
"""

_COUNT_LEFT_OUT = """
UPDATE promotion_runs SET votes_not_counted = $3 WHERE purpose_id = $1 AND month = $2
"""

_PROMOTED = """
SELECT pr.rank, pr.idea_id, i.title, i.status, i.author_id, pr.votes_in_month, pr.total_votes
FROM promotions pr JOIN ideas i ON i.id = pr.idea_id
WHERE pr.purpose_id = $1 AND pr.month = $2
ORDER BY pr.rank
"""


async def _purpose(conn: asyncpg.Connection, slug: str) -> asyncpg.Record:
    row = await conn.fetchrow(
        "SELECT id, slug, timezone, promote_top_n, min_votes, eligibility FROM purposes "
        "WHERE slug = $1",
        slug)
    if row is None:
        raise NotFound("purpose_not_found", slug=slug)
    return row


async def _recorded(conn: asyncpg.Connection, purpose: asyncpg.Record, month: date,
                    viewer: Viewer | None, *, everything: bool = False) -> Promotion | None:
    run = await conn.fetchrow(_RUN, purpose["id"], month)
    if run is None:
        return None
    rows = await conn.fetch(_PROMOTED, purpose["id"], month)
    # A promoted idea hidden later by a moderator stays on record, out of public view.
    items = [PromotedIdea(rank=r["rank"], idea_id=r["idea_id"], title=r["title"],
                          votes_in_month=r["votes_in_month"], total_votes=r["total_votes"])
             for r in rows if everything or may_see(viewer, r["status"], r["author_id"])]
    return Promotion(purpose=purpose["slug"], month=month_label(month), items=items,
                     ran_at=run["ran_at"], trigger=run["trigger"],
                     eligibility=run["eligibility"],
                     votes_not_counted=run["votes_not_counted"])


async def get_promotion(conn: asyncpg.Connection, viewer: Viewer | None, slug: str,
                        month: date) -> Promotion:
    """The recorded promotion of a month; 404 if the month has not been promoted."""
    purpose = await _purpose(conn, slug)
    found = await _recorded(conn, purpose, month, viewer)
    if found is None:
        raise NotFound("month_not_promoted", month=month_label(month), slug=slug)
    return found


def ensure_may_promote(viewer: Viewer) -> None:
    """Only administrators promote on demand."""
    if not viewer.is_admin:
        raise Forbidden("admins_only_promote")


def _ensure_ended(month: date, tz: str, now: datetime) -> None:
    _, end = month_bounds(month, tz)
    if now < end:
        raise Conflict("month_not_ended", field="month", month=month_label(month), timezone=tz,
                       opens=end.isoformat())


async def _rank_and_lock(db: Db, purpose: asyncpg.Record, month: date, top_n: int,
                         min_votes: int) -> tuple[list[asyncpg.Record], int]:
    """The winners, locked, and how many of the month's votes for the open ideas did not
    count (their people not eligible at the month's end, or held now)."""
    conn = db.conn
    start, end = month_bounds(month, purpose["timezone"])
    for _ in range(RANK_ATTEMPTS):
        async with planned_for_these_parameters(conn):
            rows = await conn.fetch(RANK_QUERY, purpose["id"], start, end, top_n,
                                    min_votes, purpose["eligibility"], db.now)
        ranked = [r for r in rows if r["idea_id"] is not None]
        ids = [r["idea_id"] for r in ranked]
        # The winners must still be open when their status changes: lock them, and rank
        # again if one was withdrawn or hidden since the ranking read it.
        locked = await conn.fetch(
            "SELECT id FROM ideas WHERE id = ANY($1::bigint[]) AND status = 'open' "
            "ORDER BY id FOR UPDATE", ids)
        if len(locked) == len(ids):
            return ranked, rows[0]["not_counted"]
    raise Conflict("promotion_busy")


async def promote_month(db: Db, services: Services, slug: str, month: date, *,
                        trigger: Trigger, by: int | None) -> Promotion:
    """Promote a month of a purpose in ``db``'s transaction, or answer the result on
    record if it was promoted already; 409 if the month has not ended at ``db.now``."""
    conn = db.conn
    purpose = await _purpose(conn, slug)
    _ensure_ended(month, purpose["timezone"], db.now)
    # A month of millions of votes is ranked and its voters told for as long as it takes.
    await unhurried(conn)
    await conn.execute("SELECT pg_advisory_xact_lock($1, ($2 % 2147483648)::int)",
                       LOCK_NAMESPACE, purpose["id"])
    done = await _recorded(conn, purpose, month, None, everything=True)
    if done is not None:
        return done
    top_n, min_votes = purpose["promote_top_n"], purpose["min_votes"]
    # The rule the votes are counted by is recorded with the run, so that --verify
    # recounts by the same one however the purpose is changed later.
    rule = purpose["eligibility"]
    ran_at = await conn.fetchval(_RECORD_RUN, purpose["id"], month, trigger, by, top_n,
                                 min_votes, db.now, rule)
    if ran_at is None:  # only if the lock was bypassed; the primary key said no
        again = await _recorded(conn, purpose, month, None, everything=True)
        assert again is not None
        return again
    ranked, not_counted = await _rank_and_lock(db, purpose, month, top_n, min_votes)
    await conn.execute(_COUNT_LEFT_OUT, purpose["id"], month, not_counted)
    items = [PromotedIdea(rank=rank, idea_id=r["idea_id"], title=r["title"],
                          votes_in_month=r["votes_in_month"], total_votes=r["total_votes"])
             for rank, r in enumerate(ranked, start=1)]
    await conn.execute(_RECORD_PROMOTIONS, purpose["id"], month,
                       [i.rank for i in items], [i.idea_id for i in items],
                       [i.votes_in_month for i in items], [i.total_votes for i in items])
    for item in items:
        await set_status(db, services, item.idea_id, "open", "promoted", by, trigger)
    services.mailer.after_commit(db, await notify_status_changes(conn,
                                                                 [i.idea_id for i in items]))
    return Promotion(purpose=purpose["slug"], month=month_label(month), items=items,
                     ran_at=ran_at, trigger=trigger, eligibility=rule,
                     votes_not_counted=not_counted)


@asynccontextmanager
async def own_transaction(pool: asyncpg.Pool, now: datetime) -> AsyncIterator[Db]:
    """A connection and transaction of its own (for the CLI and the schedule), committed
    on success (running its after-commit work) and rolled back on any error; what it
    writes is stamped ``now``."""
    async with pool.acquire() as conn:
        db = Db(conn, now)
        await db.begin()
        try:
            yield db
        except BaseException:
            await db.rollback()
            raise
        await db.commit()


async def promote_on_own(services: Services, slug: str, month: date, *, trigger: Trigger,
                         now: datetime) -> Promotion:
    """Promote a month outside a request (CLI, schedule) as of ``now``: nobody's user id
    is recorded."""
    async with own_transaction(services.pool, now) as db:
        return await promote_month(db, services, slug, month, trigger=trigger, by=None)
