"""A person's choices per kind of notification: whether to get it in the app, by e-mail.

Kinds are grouped in topics (``notification_topic`` in SQL says which kind is in which):
replies to one's comments, comments on one's ideas, status changes of ideas one shared,
voted for or follows, moderators' decisions, the answer deadline's reminders (for
administrators) and the weekly digest (e-mail only). Without a choice both are on. The
general e-mail switch of the notification settings stays above every topic.

An in-app choice is applied when the notifications are read, not when they are made,
so turning a topic on again shows what came meanwhile, and the mail (which goes from the
notification on record) is decided by its own choice.
"""

from __future__ import annotations

from typing import Literal, get_args

import asyncpg
import msgspec

from ideabox.accounts.schemas import Viewer
from ideabox.platform.db import Db

Topic = Literal["replies", "comments", "status", "decisions", "reminders", "digest"]
TOPICS: tuple[Topic, ...] = get_args(Topic)
# The digest is a mail; there is nothing of it in the app to turn off.
MAIL_ONLY: frozenset[Topic] = frozenset({"digest"})


class Channels(msgspec.Struct, forbid_unknown_fields=True):
    """Where notifications of one topic go. ``in_app`` is always false for the digest."""

    in_app: bool = True
    email: bool = True


class NotificationPreferences(msgspec.Struct, forbid_unknown_fields=True):
    """Per topic, where its notifications go. In a PUT, a topic left out keeps its
    choice."""

    replies: Channels | None = None
    comments: Channels | None = None
    status: Channels | None = None
    decisions: Channels | None = None
    reminders: Channels | None = None
    digest: Channels | None = None


# SQL, for a query with notifications as ``n`` and the person's id in ``n.user_id``: the
# person has not turned the topic of ``n.kind`` off in the app.
SHOWN_IN_APP = """NOT EXISTS (
    SELECT 1 FROM notification_preferences np
    WHERE np.user_id = n.user_id AND np.topic = notification_topic(n.kind) AND NOT np.in_app)"""

# SQL: the person ``n.user_id`` wants the topic of ``n.kind`` by e-mail.
MAILED = """NOT EXISTS (
    SELECT 1 FROM notification_preferences np
    WHERE np.user_id = n.user_id AND np.topic = notification_topic(n.kind)
      AND NOT np.by_email)"""


async def get_preferences(conn: asyncpg.Connection, viewer: Viewer) -> NotificationPreferences:
    """Every topic's choice of the viewer (both on until they chose)."""
    rows = await conn.fetch("SELECT topic, in_app, by_email FROM notification_preferences "
                            "WHERE user_id = $1", viewer.id)
    chosen = {row["topic"]: Channels(in_app=row["in_app"], email=row["by_email"])
              for row in rows}
    found = NotificationPreferences(**{topic: chosen.get(topic, Channels())
                                       for topic in TOPICS})
    found.digest = Channels(in_app=False, email=(found.digest or Channels()).email)
    return found


async def put_preferences(db: Db, viewer: Viewer,
                          data: NotificationPreferences) -> NotificationPreferences:
    """Change the choices of the topics given; the others stay as they were."""
    for topic in TOPICS:
        channels: Channels | None = getattr(data, topic)
        if channels is not None:
            await set_channels(db.conn, viewer.id, topic, in_app=channels.in_app,
                               email=channels.email)
    return await get_preferences(db.conn, viewer)


async def set_channels(conn: asyncpg.Connection, user_id: int, topic: Topic, *,
                       in_app: bool | None = None, email: bool | None = None) -> None:
    """Set one topic's channels for a person; None keeps a channel as it was."""
    # From users: a token of a person since removed changes nothing (and breaks nothing).
    await conn.execute(
        """
        INSERT INTO notification_preferences (user_id, topic, in_app, by_email)
        SELECT id, $2, coalesce($3, true), coalesce($4, true) FROM users WHERE id = $1
        ON CONFLICT (user_id, topic) DO UPDATE
        SET in_app = coalesce($3, notification_preferences.in_app),
            by_email = coalesce($4, notification_preferences.by_email)
        """, user_id, topic, in_app, email)
