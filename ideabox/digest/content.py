"""What one person's weekly digest says: how their ideas did, the answers to ideas they
voted for and the new ideas in the purposes they follow, in one week's window.

Only what the public may see: an idea hidden or awaiting review is left out, and so is
what the person did themselves (their own new ideas, their own answers).
"""

from __future__ import annotations

from datetime import datetime

import asyncpg
import msgspec

from ideabox.ideas.schemas import Status
from ideabox.platform.labels import SECLUDED, UNLISTED

# At most this many lines a section: a digest is a nudge to come and look, not a report.
SHOWN = 10


class StatusChange(msgspec.Struct, frozen=True):
    idea_id: int
    title: str
    to_status: Status


class VotesGained(msgspec.Struct, frozen=True):
    idea_id: int
    title: str
    votes: int


class NewIdea(msgspec.Struct, frozen=True):
    idea_id: int
    title: str
    purpose: str


class Digest(msgspec.Struct, frozen=True):
    my_changes: list[StatusChange]
    my_votes: list[VotesGained]
    answers: list[StatusChange]
    new_ideas: list[NewIdea]

    @property
    def items(self) -> int:
        return (len(self.my_changes) + len(self.my_votes) + len(self.answers)
                + len(self.new_ideas))


# A change since the idea was first posted, to a status the public sees.
_MY_CHANGES = """
SELECT i.id AS idea_id, i.title, sc.to_status
FROM idea_status_changes sc JOIN ideas i ON i.id = sc.idea_id
WHERE i.author_id = $1 AND sc.created_at >= $2 AND sc.created_at < $3
  AND sc.from_status IS NOT NULL AND sc.to_status <> ALL($4::text[])
  AND i.status <> ALL($4::text[])
ORDER BY sc.created_at, sc.id
LIMIT $5
"""

_MY_VOTES = """
SELECT i.id AS idea_id, i.title, count(*) AS votes
FROM votes v JOIN ideas i ON i.id = v.idea_id
WHERE i.author_id = $1 AND v.created_at >= $2 AND v.created_at < $3
  AND i.status <> ALL($4::text[])
GROUP BY i.id, i.title
ORDER BY votes DESC, i.id
LIMIT $5
"""

_ANSWERS = """
SELECT i.id AS idea_id, i.title, sc.to_status
FROM idea_status_changes sc
JOIN ideas i ON i.id = sc.idea_id
JOIN votes v ON v.idea_id = i.id AND v.voter_id = $1
WHERE sc.trigger = 'response' AND sc.created_at >= $2 AND sc.created_at < $3
  AND i.author_id IS DISTINCT FROM $1 AND i.status <> ALL($4::text[])
ORDER BY sc.created_at, sc.id
LIMIT $5
"""

_NEW_IDEAS = """
SELECT i.id AS idea_id, i.title, p.title AS purpose
FROM purpose_follows f
JOIN ideas i ON i.purpose_id = f.purpose_id
JOIN purposes p ON p.id = i.purpose_id
WHERE f.user_id = $1 AND i.created_at >= $2 AND i.created_at < $3
  AND i.author_id IS DISTINCT FROM $1 AND i.status <> ALL($4::text[])
ORDER BY i.created_at, i.id
LIMIT $5
"""


async def digest_of(conn: asyncpg.Connection, user_id: int, start: datetime,
                    end: datetime) -> Digest:
    """What happened in [start, end) that the person ``user_id`` is to be told."""
    secluded, unlisted = list(SECLUDED), list(UNLISTED)
    return Digest(
        my_changes=[StatusChange(**row) for row in
                    await conn.fetch(_MY_CHANGES, user_id, start, end, secluded, SHOWN)],
        my_votes=[VotesGained(**row) for row in
                  await conn.fetch(_MY_VOTES, user_id, start, end, secluded, SHOWN)],
        answers=[StatusChange(**row) for row in
                 await conn.fetch(_ANSWERS, user_id, start, end, secluded, SHOWN)],
        new_ideas=[NewIdea(**row) for row in
                   await conn.fetch(_NEW_IDEAS, user_id, start, end, unlisted, SHOWN)])
