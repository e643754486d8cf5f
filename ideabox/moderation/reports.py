"""Reports: anyone signed in may report an idea or a comment, once per item.

A report joins the item's open case in the moderators' queue (opening one if there is
none). When the case has as many distinct reporters as the purpose's
``report_threshold``, the item is hidden pending review: an idea by a status change
with trigger ``reports`` and no moderator, a comment by its ``hidden_at``. The item's
row is locked first, so two reports at once are counted one after the other and the
threshold is crossed exactly once. Reports on an item hidden already are still kept:
the moderators read them. A moderator's decision closes the case, so a kept item starts
counting afresh.
"""

from __future__ import annotations

import asyncpg

from ideabox.accounts.schemas import Viewer
from ideabox.ideas.service import may_see, set_status
from ideabox.moderation.schemas import Report, ReportCreate
from ideabox.notifications.service import notify_author
from ideabox.platform.db import Db
from ideabox.platform.errors import Conflict, Forbidden, NotFound
from ideabox.platform.validation import trimmed
from ideabox.services import Services

TEXT_LIMITS = (1, 1000)
TRIGGER = "reports"

_IDEA = """
SELECT i.id, i.status, i.author_id, p.report_threshold
FROM ideas i JOIN purposes p ON p.id = i.purpose_id
WHERE i.id = $1 FOR UPDATE OF i
"""

_COMMENT = """
SELECT c.id, c.idea_id, c.author_id, c.deleted_at, c.hidden_at, i.status,
       i.author_id AS idea_author, p.report_threshold
FROM comments c JOIN ideas i ON i.id = c.idea_id JOIN purposes p ON p.id = i.purpose_id
WHERE c.id = $1 FOR UPDATE OF c
"""

_OPEN_CASE = """
SELECT id FROM moderation_cases
WHERE idea_id = $1 AND comment_id IS NOT DISTINCT FROM $2 AND closed_at IS NULL
"""

_OPEN = """
INSERT INTO moderation_cases (kind, idea_id, comment_id, opened_at)
VALUES ('reports', $1, $2, $3) RETURNING id
"""

_REPORTED = """
SELECT EXISTS (SELECT 1 FROM reports
               WHERE reporter_id = $1 AND idea_id = $2
                 AND comment_id IS NOT DISTINCT FROM $3)
"""

_INSERT = """
INSERT INTO reports (reporter_id, idea_id, comment_id, case_id, reason, text, created_at)
VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id, created_at
"""


def _may_report(viewer: Viewer, status: str, author_id: int) -> bool:
    # Reports on what was hidden meanwhile (the page was open) are still kept, for the
    # moderators; an idea awaiting review is unknown to all but its author and moderators.
    return status == "hidden" or may_see(viewer, status, author_id)


def _text(data: ReportCreate) -> str | None:
    if data.text is None or not data.text.strip():
        return None
    return trimmed(data.text, "text", *TEXT_LIMITS, multiline=True)


async def _file(db: Db, viewer: Viewer, idea_id: int, comment_id: int | None,
                data: ReportCreate) -> tuple[int, int, asyncpg.Record]:
    """Keep the report in the item's open case; the case's id and its reporters now."""
    text = _text(data)
    conn = db.conn
    if await conn.fetchval(_REPORTED, viewer.id, idea_id, comment_id):
        raise Conflict("already_reported")
    case_id: int | None = await conn.fetchval(_OPEN_CASE, idea_id, comment_id)
    if case_id is None:
        case_id = await conn.fetchval(_OPEN, idea_id, comment_id, db.now)
    row = await conn.fetchrow(_INSERT, viewer.id, idea_id, comment_id, case_id, data.reason,
                              text, db.now)
    assert row is not None
    reporters: int = await conn.fetchval(
        "SELECT count(DISTINCT reporter_id) FROM reports WHERE case_id = $1", case_id)
    assert case_id is not None
    return case_id, reporters, row


async def report_idea(db: Db, services: Services, viewer: Viewer, idea_id: int,
                      data: ReportCreate) -> Report:
    """Report an idea (once); at the purpose's threshold it is hidden pending review.
    404 if the viewer may not see it, 403 for one's own idea, 409 the second time."""
    idea = await db.conn.fetchrow(_IDEA, idea_id)
    if idea is None or not _may_report(viewer, idea["status"], idea["author_id"]):
        raise NotFound("idea_not_found", id=idea_id)
    if idea["author_id"] == viewer.id:
        raise Forbidden("own_item_report")
    if idea["status"] == "pending_review":
        raise Conflict("idea_pending_review")
    _, reporters, row = await _file(db, viewer, idea_id, None, data)
    hidden = idea["status"] == "hidden"
    if not hidden and reporters >= idea["report_threshold"]:
        change_id = await set_status(db, services, idea_id, idea["status"], "hidden", None,
                                     TRIGGER)
        await notify_author(db.conn, change_id, "hidden")
        hidden = True
    return Report(id=row["id"], idea_id=idea_id, comment_id=None, reason=data.reason,
                  text=_text(data), created_at=row["created_at"], hidden=hidden)


async def report_comment(db: Db, viewer: Viewer, comment_id: int,
                         data: ReportCreate) -> Report:
    """Report a comment (once); at the purpose's threshold it is hidden pending review,
    keeping its place in the thread. 404 if the viewer may not see it, 403 for one's own
    comment, 409 the second time or for a deleted comment."""
    comment = await db.conn.fetchrow(_COMMENT, comment_id)
    if comment is None or not _may_report(viewer, comment["status"], comment["idea_author"]):
        raise NotFound("comment_not_found", id=comment_id)
    if comment["author_id"] == viewer.id:
        raise Forbidden("own_item_report")
    if comment["deleted_at"] is not None:
        raise Conflict("comment_deleted_report")
    idea_id: int = comment["idea_id"]
    _, reporters, row = await _file(db, viewer, idea_id, comment_id, data)
    hidden = comment["hidden_at"] is not None
    if not hidden and reporters >= comment["report_threshold"]:
        await db.conn.execute("UPDATE comments SET hidden_at = $2 WHERE id = $1",
                              comment_id, db.now)
        hidden = True
    return Report(id=row["id"], idea_id=idea_id, comment_id=comment_id, reason=data.reason,
                  text=_text(data), created_at=row["created_at"], hidden=hidden)
