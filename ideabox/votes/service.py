"""Votes: one per person per idea (the database's primary key says so), idempotent.

A vote and the idea's count (``idea_tallies``) change in one statement, so the count is
always ``count(*)`` over the votes. Once it has committed, Redis is given the new count
with its version; it keeps only the newest, whichever instance's write arrives last. A
second PUT or DELETE changes nothing and answers the same shape.
"""

from __future__ import annotations

import contextlib
from datetime import date

import asyncpg
import msgspec

from ideabox.accounts.schemas import Viewer
from ideabox.assisted.acting import acting_for
from ideabox.identity.eligibility import eligibilities_of
from ideabox.metrics.counters import vote_counted
from ideabox.platform import labels
from ideabox.platform.cache import CacheUnavailable
from ideabox.platform.db import Db
from ideabox.platform.errors import Conflict, NotFound
from ideabox.purposes.service import audiences_for, ensure_may_participate
from ideabox.services import Services
from ideabox.votes.tallies import IdeaCounts, Tallies

# Votes count while the idea is open, on its way to the administration, or being
# handled there; they stop when it is withdrawn, hidden, or finally decided.
SECLUDED = labels.SECLUDED
VOTABLE = ("open", "promoted", "under_review", "accepted")
_CLOSED_REASON = {
    "withdrawn": "idea_withdrawn",
    "hidden": "idea_hidden",
    # Votes count from publication.
    "pending_review": "idea_pending_review",
    "implemented": "voting_closed_implemented",
    "rejected": "voting_closed_rejected",
}


class VoteState(msgspec.Struct):
    voted: bool
    votes: int


# The idea and its purpose, for both statements below; and, last, the idea's count as
# this statement leaves it (the row written, or the row as it was if nothing changed).
_TARGET = """
WITH target AS (
    SELECT i.id, i.status, i.purpose_id, i.author_id, p.audience, p.eligibility, p.timezone,
           extract(epoch FROM i.created_at)::float8 AS created
    FROM ideas i JOIN purposes p ON p.id = i.purpose_id
    WHERE i.id = $1
)"""
_RESULT = """
SELECT target.*,
       coalesce(counted.votes, before.votes, 0) AS votes,
       coalesce(counted.month, before.month) AS month,
       coalesce(counted.month_votes, before.month_votes, 0) AS month_votes,
       coalesce(counted.version, before.version, 0) AS version
FROM target
LEFT JOIN counted ON true
LEFT JOIN idea_tallies before ON before.idea_id = target.id
"""

# One round trip: find the idea and its purpose, insert the vote only if the idea is
# votable and the voter belongs to the purpose's audience and meets its eligibility,
# and count it. The row tells
# which it was. Concurrent votes on one idea queue on its tally row, each counting on
# from the one before; the vote counts in the month it was cast in, in the purpose's zone.
# A vote staff cast for someone ($7: the staff member; NULL for a person's own vote) is
# written to the audit log by the same statement, so an acknowledged vote always has its
# audit row. Only a change is an act: a repeated PUT writes no second row.
_CAST = _TARGET + """, cast_vote AS (
    INSERT INTO votes (idea_id, voter_id, created_at, assisted_by)
    SELECT id, $2, $5, $7 FROM target
    WHERE status = ANY($3::text[]) AND audience = ANY($4::text[])
      AND eligibility = ANY($6::text[])
    ON CONFLICT DO NOTHING
    RETURNING idea_id, created_at
), audited AS (
    INSERT INTO audit_log (actor_id, action, subject_id, idea_id, created_at)
    SELECT $7, 'vote_for', $2, idea_id, $5 FROM cast_vote WHERE $7::bigint IS NOT NULL
), counted AS (
    INSERT INTO idea_tallies AS t (idea_id, votes, month, month_votes, version)
    SELECT c.idea_id, 1, date_trunc('month', c.created_at AT TIME ZONE target.timezone)::date,
           1, 1
    FROM cast_vote c, target
    ON CONFLICT (idea_id) DO UPDATE
    SET votes = t.votes + 1,
        month_votes = CASE WHEN t.month = excluded.month THEN t.month_votes + 1
                           WHEN t.month > excluded.month THEN t.month_votes
                           ELSE 1 END,
        month = greatest(t.month, excluded.month),
        version = t.version + 1
    RETURNING t.votes, t.month, t.month_votes, t.version
)""" + _RESULT  # noqa: S608 - constants joined; values go as $n

# The retraction is kept (the idea, the voter and both moments) so that a promotion can
# be verified afterwards against the votes as they stood when it ran, counting only the
# votes of people who were eligible. A vote taken back leaves the month it was cast in.
# Staff taking a vote back for someone ($5) is audited as a cast is.
_RETRACT = _TARGET + """, retracted AS (
    DELETE FROM votes v USING target t
    WHERE v.idea_id = t.id AND v.voter_id = $2 AND t.status = ANY($3::text[])
    RETURNING v.idea_id, v.voter_id, v.created_at
), audited AS (
    INSERT INTO audit_log (actor_id, action, subject_id, idea_id, created_at)
    SELECT $5, 'retract_vote_for', $2, idea_id, $4 FROM retracted
    WHERE $5::bigint IS NOT NULL
), recorded AS (
    INSERT INTO vote_retractions (idea_id, voter_id, cast_at, retracted_at)
    SELECT idea_id, voter_id, created_at, $4 FROM retracted
), counted AS (
    UPDATE idea_tallies t
    SET votes = t.votes - 1,
        month_votes = CASE WHEN t.month = date_trunc(
                               'month', r.created_at AT TIME ZONE target.timezone)::date
                           THEN t.month_votes - 1 ELSE t.month_votes END,
        version = t.version + 1
    FROM retracted r, target
    WHERE t.idea_id = r.idea_id
    RETURNING t.votes, t.month, t.month_votes, t.version
)""" + _RESULT  # noqa: S608 - constants joined; values go as $n


def _check(row: asyncpg.Record | None, viewer: Viewer, idea_id: int) -> asyncpg.Record:
    if row is None or (row["status"] in SECLUDED and not viewer.is_moderator
                       and viewer.id != row["author_id"]):
        raise NotFound("idea_not_found", id=idea_id)
    if row["status"] not in VOTABLE:
        raise Conflict(_CLOSED_REASON.get(row["status"], "voting_closed"))
    return row


async def cast_vote(db: Db, services: Services, viewer: Viewer, idea_id: int, *,
                    on_behalf_of: int | None = None) -> VoteState:
    """Vote for an idea (idempotent): the viewer's vote, or, with ``on_behalf_of``, one
    staff cast for a person registered for assisted participation."""
    acting = await acting_for(db.conn, viewer, on_behalf_of, source="query")
    voter = acting.person
    row = _check(await db.conn.fetchrow(
        _CAST, idea_id, voter.id, list(VOTABLE), audiences_for(voter.role), db.now,
        eligibilities_of(verified=voter.verified, resident=voter.resident),
        acting.assisted_by), voter, idea_id)
    ensure_may_participate(voter, row["audience"], row["eligibility"],
                           assisted=acting.assisted)
    votes = await _after(db, services.tallies, row)
    vote_counted(cast=True)
    return VoteState(voted=True, votes=votes)


async def retract_vote(db: Db, services: Services, viewer: Viewer, idea_id: int, *,
                       on_behalf_of: int | None = None) -> VoteState:
    """Take a vote back (idempotent): the viewer's, or, with ``on_behalf_of``, staff take
    back the vote of a person registered for assisted participation."""
    acting = await acting_for(db.conn, viewer, on_behalf_of, source="query")
    voter = acting.person
    row = _check(await db.conn.fetchrow(_RETRACT, idea_id, voter.id, list(VOTABLE), db.now,
                                        acting.assisted_by), voter, idea_id)
    votes = await _after(db, services.tallies, row)
    vote_counted(cast=False)
    return VoteState(voted=False, votes=votes)


async def _after(db: Db, tallies: Tallies, row: asyncpg.Record) -> int:
    """Commit (the routes run the vote as one statement, already committed), then give
    Redis the idea's new count; answer the total as this vote left it."""
    await db.commit()
    month: date | None = row["month"]
    counts = IdeaCounts(idea_id=row["id"], total=row["votes"], month=month,
                        month_votes=row["month_votes"], version=row["version"],
                        created=row["created"], visible=True)
    # Also when this vote changed nothing: it may be the client's second try after the
    # first one's answer was lost, and with it the first one's copy to Redis. A copy no
    # newer than Redis's changes nothing there. A lost write is on record with the cache,
    # which every instance then distrusts until it has been rebuilt; the vote stands.
    with contextlib.suppress(CacheUnavailable):
        await tallies.put(row["purpose_id"], counts, tallies.month(row["timezone"]))
    votes: int = row["votes"]
    return votes
