"""Votes: one per person per idea (the database's primary key says so), idempotent.

The vote is on record when its transaction commits; only then is Redis told, with a
delta. A second PUT or DELETE changes nothing and answers the same shape.
"""

from __future__ import annotations

import contextlib
from datetime import datetime

import asyncpg
import msgspec

from ideabox.accounts.schemas import Viewer
from ideabox.cache import CacheUnavailable
from ideabox.db import Db
from ideabox.errors import Conflict, NotFound
from ideabox.months import month_of
from ideabox.purposes.service import audiences_for, ensure_may_participate
from ideabox.votes.reading import IdeaRef, read_tallies
from ideabox.votes.tallies import Tallies

# Votes count while the idea is open, on its way to the administration, or being
# handled there; they stop when it is withdrawn, hidden, or finally decided.
VOTABLE = ("open", "promoted", "under_review", "accepted")
_CLOSED_REASON = {
    "withdrawn": "The idea was withdrawn by its author",
    "hidden": "The idea was hidden by a moderator",
    "implemented": "Voting has closed: the idea has been implemented",
    "rejected": "Voting has closed: the administration has declined the idea",
}


class VoteState(msgspec.Struct):
    voted: bool
    votes: int


# The idea and its purpose, for both statements below.
_TARGET = """
WITH target AS (
    SELECT i.id, i.status, i.purpose_id, i.author_id, p.audience, p.timezone
    FROM ideas i JOIN purposes p ON p.id = i.purpose_id
    WHERE i.id = $1
)"""

# One round trip: find the idea and its purpose, and insert the vote only if the idea is
# votable and the voter belongs to the purpose's audience. The row tells which it was.
_CAST = _TARGET + """, cast_vote AS (
    INSERT INTO votes (idea_id, voter_id, created_at)
    SELECT id, $2, $5 FROM target
    WHERE status = ANY($3::text[]) AND audience = ANY($4::text[])
    ON CONFLICT DO NOTHING
    RETURNING created_at
)
SELECT target.*, (SELECT created_at FROM cast_vote) AS changed_at FROM target
"""

# The retraction is kept (the idea and both moments, not who) so that a promotion can
# be verified afterwards against the votes as they stood when it ran.
_RETRACT = _TARGET + """, retracted AS (
    DELETE FROM votes v USING target t
    WHERE v.idea_id = t.id AND v.voter_id = $2 AND t.status = ANY($3::text[])
    RETURNING v.idea_id, v.created_at
), recorded AS (
    INSERT INTO vote_retractions (idea_id, cast_at, retracted_at)
    SELECT idea_id, created_at, $4 FROM retracted
)
SELECT target.*, (SELECT created_at FROM retracted) AS changed_at FROM target
"""


def _check(row: asyncpg.Record | None, viewer: Viewer, idea_id: int) -> asyncpg.Record:
    if row is None or (row["status"] == "hidden" and not viewer.is_moderator
                       and viewer.id != row["author_id"]):
        raise NotFound(f"No idea {idea_id}")
    if row["status"] not in VOTABLE:
        raise Conflict(_CLOSED_REASON.get(row["status"], "Voting has closed on this idea"))
    return row


async def cast_vote(db: Db, tallies: Tallies, viewer: Viewer, idea_id: int) -> VoteState:
    """Vote for an idea (idempotent)."""
    row = _check(await db.conn.fetchrow(_CAST, idea_id, viewer.id, list(VOTABLE),
                                        audiences_for(viewer.role), db.now), viewer, idea_id)
    ensure_may_participate(viewer, row["audience"])
    return VoteState(voted=True, votes=await _after(db, tallies, row, +1))


async def retract_vote(db: Db, tallies: Tallies, viewer: Viewer, idea_id: int) -> VoteState:
    """Take a vote back (idempotent)."""
    row = _check(await db.conn.fetchrow(_RETRACT, idea_id, viewer.id, list(VOTABLE), db.now),
                 viewer, idea_id)
    return VoteState(voted=False, votes=await _after(db, tallies, row, -1))


async def _after(db: Db, tallies: Tallies, row: asyncpg.Record, delta: int) -> int:
    """Commit (the routes run the vote as one statement, already committed), then tell
    Redis; answer the idea's total as it stands now."""
    await db.commit()
    changed_at: datetime | None = row["changed_at"]
    tz: str = row["timezone"]
    if changed_at is not None:
        with contextlib.suppress(CacheUnavailable):
            tally = await tallies.apply(row["purpose_id"], row["id"], delta,
                                        month_of(changed_at, tz), tallies.month(tz))
            if tally is not None:
                return tally.total
    found = await read_tallies(db.conn, tallies, [IdeaRef(row["id"], row["purpose_id"], tz,
                                                          tallies.month(tz))])
    return found[row["id"]].total
