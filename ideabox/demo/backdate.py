"""Moving what the services wrote back to when the plan says it happened.

The service functions stamp every row with ``now()``: right for a live site, wrong for
a demo that tells three months of history. So each row is made through its service
(whose rules and side effects, such as status history and notifications, all apply) and
then given its moment here, in the same transaction: there is never a half-dated
database, and nothing is written that the services would not have written.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

import asyncpg

# Table → the UPDATE that sets its time columns for many ids at once.
_UPDATES = {
    "users": "UPDATE users t SET created_at = m.at",
    "purposes": "UPDATE purposes t SET created_at = m.at",
    "ideas": "UPDATE ideas t SET created_at = m.at, updated_at = m.at",
    # updated_at equal to created_at: the comment shows as not edited.
    "comments": "UPDATE comments t SET created_at = m.at, updated_at = m.at",
    "idea_status_changes": "UPDATE idea_status_changes t SET created_at = m.at",
}
_FROM = " FROM unnest($1::bigint[], $2::timestamptz[]) AS m(id, at) WHERE t.id = m.id"


async def backdate(conn: asyncpg.Connection, table: str, ids: Sequence[int],
                   moments: Sequence[datetime]) -> None:
    """Give the rows ``ids`` of ``table`` the times ``moments`` (pairwise)."""
    if ids:
        await conn.execute(_UPDATES[table] + _FROM, list(ids), list(moments))


async def backdate_status_change(conn: asyncpg.Connection, change_id: int,
                                 moment: datetime) -> None:
    """A status change, the notifications about it and the idea's last change, at once."""
    idea_id = await conn.fetchval(
        "UPDATE idea_status_changes SET created_at = $2 WHERE id = $1 RETURNING idea_id",
        change_id, moment)
    await conn.execute("UPDATE notifications SET created_at = $2 WHERE status_change_id = $1",
                       change_id, moment)
    await conn.execute("UPDATE ideas SET updated_at = $2 WHERE id = $1", idea_id, moment)


async def backdate_follow(conn: asyncpg.Connection, user_id: int, idea_id: int,
                          moment: datetime) -> None:
    await conn.execute("UPDATE follows SET created_at = $3 WHERE user_id = $1 AND idea_id = $2",
                       user_id, idea_id, moment)
