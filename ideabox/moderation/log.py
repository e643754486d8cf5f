"""The moderation log: a row for every moderator action, newest first for reading.

Kept apart from the service so that other features (comments) can write to it without
importing the rest of moderation.
"""

from __future__ import annotations

import asyncpg
import msgspec

from ideabox.accounts.schemas import User, Viewer
from ideabox.moderation.schemas import Action, ModerationEntry
from ideabox.platform.db import Db
from ideabox.platform.pagination import Moment, Page, RowId, decode_cursor, page_of


class _Before(msgspec.Struct, forbid_unknown_fields=True):
    created_at: Moment
    id: RowId


_INSERT = """
INSERT INTO moderation_actions
    (action, moderator_id, idea_id, comment_id, status_change_id, reason, created_at, case_id)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id
"""

_LIST = """
SELECT m.id, m.action, m.created_at, m.idea_id, i.title AS idea_title, m.comment_id,
       sc.from_status, sc.to_status, m.reason, m.case_id,
       m.moderator_id, u.display_name AS moderator_name, u.role AS moderator_role
FROM moderation_actions m
JOIN ideas i ON i.id = m.idea_id
JOIN users u ON u.id = m.moderator_id
LEFT JOIN idea_status_changes sc ON sc.id = m.status_change_id
WHERE ($1::timestamptz IS NULL OR (m.created_at, m.id) < ($1, $2))
ORDER BY m.created_at DESC, m.id DESC
LIMIT $3
"""


async def record_action(db: Db, action: Action, moderator: Viewer, idea_id: int, *,
                        comment_id: int | None = None, status_change_id: int | None = None,
                        reason: str | None = None, case_id: int | None = None) -> int:
    """Write one moderator action to the log, in the transaction that made it; returns
    its id."""
    action_id: int = await db.conn.fetchval(_INSERT, action, moderator.id, idea_id,
                                            comment_id, status_change_id, reason, db.now,
                                            case_id)
    return action_id


def _entry(row: asyncpg.Record) -> ModerationEntry:
    return ModerationEntry(
        id=row["id"], action=row["action"],
        moderator=User(id=row["moderator_id"], display_name=row["moderator_name"],
                       role=row["moderator_role"]),
        created_at=row["created_at"], idea_id=row["idea_id"], idea_title=row["idea_title"],
        comment_id=row["comment_id"], from_status=row["from_status"],
        to_status=row["to_status"], reason=row["reason"], case_id=row["case_id"])


async def read_log(conn: asyncpg.Connection, *, limit: int,
                   cursor: str | None = None) -> Page[ModerationEntry]:
    """A page of the log, newest first (the caller checks who may read it)."""
    before = decode_cursor(cursor, _Before)
    rows = await conn.fetch(_LIST, before.created_at if before else None,
                            before.id if before else None, limit + 1)
    return page_of(rows, limit, _entry, lambda last: _Before(created_at=last.created_at,
                                                             id=last.id))
