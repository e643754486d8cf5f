"""Hiding an idea and showing it again, and what moderators read: the log and the ideas
hidden now.

A hidden idea leaves the lists, the leaderboards and anonymous reads at once (the status
change drops its cached document after the commit), and only its author and moderators
can still see it. Hiding keeps the status the idea had in its history (``from_status`` of
the hiding entry); showing it again restores exactly that status, so a hidden idea
neither loses a promotion nor gains one it never had. The author alone is told, with the
reason: a hiding is between the moderator and the author, not news for voters.
"""

from __future__ import annotations

import asyncpg
import msgspec

from ideabox.accounts.schemas import User, Viewer
from ideabox.ideas.schemas import Idea
from ideabox.ideas.service import get_idea, set_status
from ideabox.moderation.log import read_log, record_action
from ideabox.moderation.schemas import Action, HiddenIdea, ModerationEntry, ModerationReason
from ideabox.notifications.schemas import Kind
from ideabox.notifications.service import notify_author
from ideabox.platform import markdown
from ideabox.platform.db import Db
from ideabox.platform.errors import Conflict, Forbidden, NotFound
from ideabox.platform.pagination import Moment, Page, RowId, decode_cursor, page_of
from ideabox.platform.validation import trimmed
from ideabox.services import Services

TRIGGER = "moderation"
REASON_LIMITS = (1, 1000)

# The status before the idea's latest hiding: the one to give back.
BEFORE_HIDING = """
SELECT from_status FROM idea_status_changes
WHERE idea_id = $1 AND to_status = 'hidden'
ORDER BY created_at DESC, id DESC LIMIT 1
"""

# An idea hidden outside ideabox has no hiding entry; it is listed all the same.
_HIDDEN = """
SELECT i.id, p.slug AS purpose, i.title,
       i.author_id, a.display_name AS author_name, a.role AS author_role,
       coalesce(h.created_at, i.updated_at) AS hidden_at, h.from_status AS previous_status,
       h.response AS reason,
       h.changed_by, m.display_name AS hidden_by_name, m.role AS hidden_by_role
FROM ideas i
JOIN purposes p ON p.id = i.purpose_id
JOIN users a ON a.id = i.author_id
LEFT JOIN LATERAL (
    SELECT sc.created_at, sc.from_status, sc.response, sc.changed_by
    FROM idea_status_changes sc
    WHERE sc.idea_id = i.id AND sc.to_status = 'hidden'
    ORDER BY sc.created_at DESC, sc.id DESC LIMIT 1
) h ON true
LEFT JOIN users m ON m.id = h.changed_by
WHERE i.status = 'hidden'
  AND ($1::timestamptz IS NULL OR (coalesce(h.created_at, i.updated_at), i.id) < ($1, $2))
ORDER BY hidden_at DESC, i.id DESC
LIMIT $3
"""


class _Before(msgspec.Struct, forbid_unknown_fields=True):
    hidden_at: Moment
    id: RowId


def ensure_may_moderate(viewer: Viewer) -> None:
    """Moderators and administrators moderate; everybody else gets a 403."""
    if not viewer.is_moderator:
        raise Forbidden("moderators_only")


async def _locked_status(conn: asyncpg.Connection, idea_id: int) -> str:
    # Locked until the commit, so two moderators acting at once are taken in turn and
    # the second sees what the first did (and gets a 409).
    status: str | None = await conn.fetchval(
        "SELECT status FROM ideas WHERE id = $1 FOR UPDATE", idea_id)
    if status is None:
        raise NotFound("idea_not_found", id=idea_id)
    return status


async def _reason(data: ModerationReason) -> markdown.Rendered:
    return await markdown.rendered(
        trimmed(data.reason, "reason", *REASON_LIMITS, multiline=True), "reason")


async def _moderate(db: Db, services: Services, moderator: Viewer, idea_id: int, old: str,
                    new: str, reason: markdown.Rendered, action: Action, kind: Kind) -> None:
    change_id = await set_status(db, services, idea_id, old, new, moderator.id, TRIGGER,
                                 reason)
    await notify_author(db.conn, change_id, kind)
    await record_action(db, action, moderator, idea_id, status_change_id=change_id,
                        reason=reason.text)


async def hide_idea(db: Db, services: Services, viewer: Viewer, idea_id: int,
                    data: ModerationReason) -> Idea:
    """Hide an idea, whatever its status, telling its author why; 409 if it is hidden."""
    ensure_may_moderate(viewer)
    status = await _locked_status(db.conn, idea_id)
    reason = await _reason(data)
    if status == "hidden":
        raise Conflict("already_hidden")
    await _moderate(db, services, viewer, idea_id, status, "hidden", reason, "hide", "hidden")
    return await get_idea(db.conn, services, viewer, idea_id)


async def unhide_idea(db: Db, services: Services, viewer: Viewer, idea_id: int,
                      data: ModerationReason) -> Idea:
    """Show a hidden idea again with the status it had before it was hidden, telling its
    author why; 409 if it is not hidden."""
    ensure_may_moderate(viewer)
    status = await _locked_status(db.conn, idea_id)
    reason = await _reason(data)
    if status != "hidden":
        raise Conflict("not_hidden")
    previous: str | None = await db.conn.fetchval(BEFORE_HIDING, idea_id)
    if previous is None or previous == "hidden":
        # Hidden outside ideabox: guessing a status could promote or reopen it wrongly.
        raise Conflict("hidden_status_unknown")
    await _moderate(db, services, viewer, idea_id, "hidden", previous, reason, "unhide",
                    "unhidden")
    return await get_idea(db.conn, services, viewer, idea_id)


async def moderation_log(conn: asyncpg.Connection, viewer: Viewer, *, limit: int,
                         cursor: str | None = None) -> Page[ModerationEntry]:
    """Every moderator action, newest first (moderators and administrators)."""
    ensure_may_moderate(viewer)
    return await read_log(conn, limit=limit, cursor=cursor)


def _hidden(row: asyncpg.Record) -> HiddenIdea:
    by = None
    if row["changed_by"] is not None:
        by = User(id=row["changed_by"], display_name=row["hidden_by_name"],
                  role=row["hidden_by_role"])
    return HiddenIdea(
        id=row["id"], purpose=row["purpose"], title=row["title"],
        author=User(id=row["author_id"], display_name=row["author_name"],
                    role=row["author_role"]),
        hidden_at=row["hidden_at"], hidden_by=by, previous_status=row["previous_status"],
        reason=row["reason"])


async def list_hidden_ideas(conn: asyncpg.Connection, viewer: Viewer, *, limit: int,
                            cursor: str | None = None) -> Page[HiddenIdea]:
    """The ideas hidden now, the latest hidden first (moderators and administrators)."""
    ensure_may_moderate(viewer)
    before = decode_cursor(cursor, _Before)
    rows = await conn.fetch(_HIDDEN, before.hidden_at if before else None,
                            before.id if before else None, limit + 1)
    return page_of(rows, limit, _hidden, lambda last: _Before(hidden_at=last.hidden_at,
                                                              id=last.id))
