"""Notifications: who is told about a status change, their inbox, follows and settings.

An idea's author, its voters and its followers are told once each about every promotion
and public response, by one INSERT … SELECT in the transaction that made the change,
so a change and its notifications are on record together or not at all. The person who
made the change is not told about it.
"""

from __future__ import annotations

from collections.abc import Sequence

import asyncpg
import msgspec

from ideabox.accounts.schemas import Viewer
from ideabox.ideas.service import may_see
from ideabox.notifications.preferences import SHOWN_IN_APP
from ideabox.notifications.schemas import (
    Following,
    Kind,
    Notification,
    NotificationPage,
    NotificationSettings,
    Unread,
)
from ideabox.platform.db import Db
from ideabox.platform.errors import NotFound
from ideabox.platform.pagination import RowId, decode_cursor, page_of

# The idea rows are locked by the change (set_status updates them), so the newest
# status change of each idea is the one this transaction just made.
_LATEST_CHANGES = """
SELECT DISTINCT ON (idea_id) id
FROM idea_status_changes
WHERE idea_id = ANY($1::bigint[])
ORDER BY idea_id, id DESC
"""

# UNION (not UNION ALL) makes an author who also voted and follows one recipient; the
# unique index (user_id, status_change_id) makes sure of it.
_NOTIFY = """
INSERT INTO notifications (user_id, idea_id, kind, payload, status_change_id, created_at)
SELECT r.user_id, sc.idea_id,
       CASE WHEN sc.to_status = 'promoted' THEN 'promoted' ELSE 'answered' END,
       jsonb_build_object('from_status', sc.from_status, 'to_status', sc.to_status),
       sc.id, sc.created_at
FROM idea_status_changes sc
CROSS JOIN LATERAL (
    SELECT i.author_id AS user_id FROM ideas i WHERE i.id = sc.idea_id
    UNION SELECT v.voter_id FROM votes v WHERE v.idea_id = sc.idea_id
    UNION SELECT f.user_id FROM follows f WHERE f.idea_id = sc.idea_id
) r
JOIN users u ON u.id = r.user_id AND u.deleted_at IS NULL
WHERE sc.id = ANY($1::bigint[]) AND r.user_id IS DISTINCT FROM sc.changed_by
ON CONFLICT (user_id, status_change_id) DO NOTHING
"""


async def notify_status_changes(conn: asyncpg.Connection, idea_ids: Sequence[int]) -> list[int]:
    """Tell the author, voters and followers of each idea about its latest status change;
    returns the ids of those status changes (for the e-mails after the commit)."""
    if not idea_ids:
        return []
    change_ids: list[int] = [r["id"] for r in await conn.fetch(_LATEST_CHANGES,
                                                                list(idea_ids))]
    await conn.execute(_NOTIFY, change_ids)
    return change_ids


# A moderator's hiding (or showing again) concerns the author alone: voters and
# followers are not told, and the moderator who did it is not told either.
_NOTIFY_AUTHOR = """
INSERT INTO notifications (user_id, idea_id, kind, payload, status_change_id, created_at)
SELECT i.author_id, sc.idea_id, $2,
       jsonb_build_object('from_status', sc.from_status, 'to_status', sc.to_status), sc.id,
       sc.created_at
FROM idea_status_changes sc
JOIN ideas i ON i.id = sc.idea_id
JOIN users u ON u.id = i.author_id AND u.deleted_at IS NULL
WHERE sc.id = $1 AND i.author_id IS DISTINCT FROM sc.changed_by
ON CONFLICT (user_id, status_change_id) DO NOTHING
"""


async def notify_author(conn: asyncpg.Connection, change_id: int, kind: Kind) -> None:
    """Tell only the idea's author about one status change (``kind`` says what it was)."""
    await conn.execute(_NOTIFY_AUTHOR, change_id, kind)


# A moderator's decision in the queue is told to the item's author (not to the moderator
# who made it): about the action, whether or not the idea's status changed. to_status in
# the payload is the idea's status after the decision.
_NOTIFY_DECISION = """
INSERT INTO notifications (user_id, idea_id, kind, payload, moderation_action_id, created_at)
SELECT a.id, m.idea_id, $2, jsonb_build_object('to_status', i.status), m.id, m.created_at
FROM moderation_actions m
JOIN ideas i ON i.id = m.idea_id
LEFT JOIN comments c ON c.id = m.comment_id
JOIN users a ON a.id = coalesce(c.author_id, i.author_id) AND a.deleted_at IS NULL
WHERE m.id = $1 AND a.id <> m.moderator_id
ON CONFLICT (user_id, moderation_action_id) DO NOTHING
"""


async def notify_decision(db: Db, action_id: int, kind: Kind) -> None:
    """Tell the author of the idea or comment about a moderator's decision in the queue."""
    await db.conn.execute(_NOTIFY_DECISION, action_id, kind)


class _Before(msgspec.Struct, forbid_unknown_fields=True):
    id: RowId


# A notification about an idea that has since been hidden is kept from those who may
# not see the idea (everyone but its author and moderators), like the idea itself.
_VISIBLE = "(i.status NOT IN ('hidden', 'pending_review') OR i.author_id = $1 OR $2)"

# A notification is about a status change, about a moderator's decision (which may have
# made a status change of its own), or is a reminder of an answer deadline
# (``ideabox.outcomes.reminders``), which is about the idea as it stands.
_SELECT = """
SELECT n.id, n.kind, n.idea_id, i.title AS idea_title, sc.from_status,
       coalesce(sc.to_status, n.payload->>'to_status', i.status) AS to_status,
       n.created_at, n.read_at, coalesce(m.reason, sc.response) AS response,
       coalesce(n.comment_id, m.comment_id) AS comment_id,
       (n.payload ->> 'answer_due')::timestamptz AS answer_due, w.display_name AS by_name
FROM notifications n
JOIN ideas i ON i.id = n.idea_id
LEFT JOIN moderation_actions m ON m.id = n.moderation_action_id
LEFT JOIN idea_status_changes sc ON sc.id = coalesce(n.status_change_id, m.status_change_id)
LEFT JOIN comments cm ON cm.id = n.comment_id
LEFT JOIN users w ON w.id = cm.author_id
"""
# A reply or comment (``ideabox.notifications.conversation``) hidden or deleted since is
# no longer told; a topic the person turned off in the app is not shown.
_TOLD = ("(n.status_change_id IS NOT NULL OR n.moderation_action_id IS NOT NULL"
         " OR n.kind IN ('due_soon', 'overdue')"
         " OR (n.comment_id IS NOT NULL AND cm.hidden_at IS NULL AND cm.deleted_at IS NULL))"
         f" AND {SHOWN_IN_APP}")

_LIST = _SELECT + f"""
WHERE n.user_id = $1 AND {_TOLD} AND {_VISIBLE} AND ($3::bigint IS NULL OR n.id < $3)
ORDER BY n.id DESC
LIMIT $4
"""

_ONE = _SELECT + f"WHERE n.user_id = $1 AND {_TOLD} AND {_VISIBLE} AND n.id = $3"

_UNREAD = f"""
SELECT count(*) FROM notifications n JOIN ideas i ON i.id = n.idea_id
LEFT JOIN comments cm ON cm.id = n.comment_id
WHERE n.user_id = $1 AND n.read_at IS NULL AND {_TOLD} AND {_VISIBLE}
"""  # noqa: S608 - a constant spliced in; values go as $n


def _notification(row: asyncpg.Record) -> Notification:
    return Notification(**dict(row))


async def list_notifications(conn: asyncpg.Connection, viewer: Viewer, *, limit: int,
                             cursor: str | None) -> NotificationPage:
    """The viewer's notifications, newest first, and their unread count."""
    before = decode_cursor(cursor, _Before)
    rows = await conn.fetch(_LIST, viewer.id, viewer.is_moderator,
                            before.id if before else None, limit + 1)
    page = page_of(rows, limit, _notification, lambda last: _Before(id=last.id))
    unread: int = await conn.fetchval(_UNREAD, viewer.id, viewer.is_moderator)
    return NotificationPage(items=page.items, next_cursor=page.next_cursor, unread=unread)


async def mark_read(db: Db, viewer: Viewer, notification_id: int) -> Notification:
    """Mark one of the viewer's notifications read (again: no change); 404 if not theirs."""
    conn = db.conn
    row = await conn.fetchrow(_ONE, viewer.id, viewer.is_moderator, notification_id)
    if row is None:
        raise NotFound("notification_not_found", id=notification_id)
    notification = _notification(row)
    if notification.read_at is None:
        notification.read_at = await conn.fetchval(
            "UPDATE notifications SET read_at = $2 WHERE id = $1 RETURNING read_at",
            notification_id, db.now)
    return notification


async def mark_all_read(db: Db, viewer: Viewer) -> Unread:
    """Mark every notification of the viewer read."""
    await db.conn.execute("UPDATE notifications SET read_at = $2 "
                          "WHERE user_id = $1 AND read_at IS NULL", viewer.id, db.now)
    return Unread(unread=0)


async def _visible_idea(conn: asyncpg.Connection, viewer: Viewer, idea_id: int) -> None:
    row = await conn.fetchrow("SELECT status, author_id FROM ideas WHERE id = $1", idea_id)
    if row is None or not may_see(viewer, row["status"], row["author_id"]):
        raise NotFound("idea_not_found", id=idea_id)


async def follow_idea(db: Db, viewer: Viewer, idea_id: int) -> Following:
    """Follow an idea (idempotent): be told when it is promoted or answered."""
    await _visible_idea(db.conn, viewer, idea_id)
    await db.conn.execute("INSERT INTO follows (user_id, idea_id, created_at) "
                          "VALUES ($1, $2, $3) ON CONFLICT DO NOTHING",
                          viewer.id, idea_id, db.now)
    return Following(idea_id=idea_id, following=True)


async def unfollow_idea(conn: asyncpg.Connection, viewer: Viewer, idea_id: int) -> Following:
    """Stop following an idea (idempotent)."""
    await _visible_idea(conn, viewer, idea_id)
    await conn.execute("DELETE FROM follows WHERE user_id = $1 AND idea_id = $2",
                       viewer.id, idea_id)
    return Following(idea_id=idea_id, following=False)


async def get_following(conn: asyncpg.Connection, viewer: Viewer, idea_id: int) -> Following:
    """Whether the viewer follows an idea."""
    await _visible_idea(conn, viewer, idea_id)
    following: bool = await conn.fetchval(
        "SELECT EXISTS (SELECT 1 FROM follows WHERE user_id = $1 AND idea_id = $2)",
        viewer.id, idea_id)
    return Following(idea_id=idea_id, following=following)


async def get_settings(conn: asyncpg.Connection, viewer: Viewer) -> NotificationSettings:
    """The viewer's notification settings (the defaults until they chose)."""
    row = await conn.fetchrow("SELECT email, language FROM notification_settings "
                              "WHERE user_id = $1", viewer.id)
    return NotificationSettings(**dict(row)) if row else NotificationSettings()


async def put_settings(conn: asyncpg.Connection, viewer: Viewer,
                       data: NotificationSettings) -> NotificationSettings:
    """Replace the viewer's notification settings."""
    await conn.execute(
        """
        INSERT INTO notification_settings (user_id, email, language) VALUES ($1, $2, $3)
        ON CONFLICT (user_id) DO UPDATE SET email = excluded.email, language = excluded.language
        """, viewer.id, data.email, data.language)
    return data


async def remember_language(conn: asyncpg.Connection, viewer: Viewer, language: str) -> None:
    """Keep the language the viewer chose in the browser for the e-mails they get too."""
    await conn.execute(
        """
        INSERT INTO notification_settings (user_id, language) VALUES ($1, $2)
        ON CONFLICT (user_id) DO UPDATE SET language = excluded.language
        """, viewer.id, language)
