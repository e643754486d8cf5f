"""Comments: add, reply, edit, delete, and read a thread."""

from __future__ import annotations

import asyncpg
import msgspec

from ideabox.accounts.schemas import User, Viewer
from ideabox.assisted.acting import acting_for, audit_act
from ideabox.comments.schemas import Comment, CommentCreate, CommentUpdate
from ideabox.ideas.service import may_see
from ideabox.moderation.log import record_action
from ideabox.notifications.conversation import notify_comment
from ideabox.platform import markdown
from ideabox.platform.db import Db
from ideabox.platform.errors import Conflict, Forbidden, Invalid, NotFound
from ideabox.platform.pagination import Moment, Page, RowId, decode_cursor, encode_cursor
from ideabox.platform.validation import trimmed
from ideabox.purposes.service import ensure_may_participate
from ideabox.services import Services

BODY_LIMITS = (1, 5000)
# Replies nest at most this deep (a top-level comment is level 1). Deeper, a thread is
# unreadable on a phone, and a chain hundreds deep overflowed the JSON encoder's and
# the templates' stacks. A reply to a comment at the deepest level goes beside it.
MAX_DEPTH = 8
# No new comments on ideas that have left the conversation.
CLOSED = {"withdrawn": "idea_withdrawn", "hidden": "idea_hidden",
          "pending_review": "idea_pending_review"}


class _After(msgspec.Struct, forbid_unknown_fields=True):
    created_at: Moment
    id: RowId


# A comment and its ancestors, the top-level one first. CYCLE ends the walk should
# rows written outside ideabox ever loop.
_ANCESTRY = """
WITH RECURSIVE up AS (
    SELECT id, parent_id, 1 AS step FROM comments WHERE id = $1
    UNION ALL
    SELECT c.id, c.parent_id, up.step + 1 FROM comments c JOIN up ON c.id = up.parent_id
) CYCLE id SET looped USING path
SELECT id FROM up WHERE NOT looped ORDER BY step DESC
"""

_COLUMNS = """
c.id, c.idea_id, c.parent_id, c.body, c.body_html, c.created_at, c.updated_at,
c.deleted_at, c.hidden_at, c.author_id, u.display_name AS author_name, u.role AS author_role,
c.assisted_by IS NOT NULL AS assisted
"""


def _comment(row: asyncpg.Record, viewer: Viewer | None) -> Comment:
    deleted = row["deleted_at"] is not None
    hidden = row["hidden_at"] is not None and not deleted
    # A comment hidden pending review keeps its place in the thread, like a deleted one;
    # its author and moderators still read it (to fix it, or to decide).
    shown = not deleted and (not hidden or (viewer is not None and (
        viewer.is_moderator or viewer.id == row["author_id"])))
    author = None if not shown else User(id=row["author_id"], display_name=row["author_name"],
                                         role=row["author_role"])
    return Comment(
        id=row["id"], idea_id=row["idea_id"], parent_id=row["parent_id"], author=author,
        body=row["body"] if shown else "", body_html=row["body_html"] if shown else "",
        created_at=row["created_at"], edited=row["updated_at"] > row["created_at"],
        deleted=deleted, assisted=row["assisted"], hidden=hidden,
    )


async def _idea(conn: asyncpg.Connection, viewer: Viewer | None,
                idea_id: int) -> asyncpg.Record:
    row = await conn.fetchrow(
        """SELECT i.id, i.status, i.author_id, p.audience, p.eligibility
           FROM ideas i JOIN purposes p ON p.id = i.purpose_id WHERE i.id = $1""", idea_id)
    if row is None or not may_see(viewer, row["status"], row["author_id"]):
        raise NotFound("idea_not_found", id=idea_id)
    return row


async def add_comment(db: Db, services: Services, viewer: Viewer, idea_id: int,
                      data: CommentCreate) -> Comment:
    """Comment on an idea, or reply to one of its comments: as the viewer, or, with
    ``on_behalf_of``, as staff for a person registered for assisted participation."""
    acting = await acting_for(db.conn, viewer, data.on_behalf_of)
    author = acting.person
    idea = await _idea(db.conn, author, idea_id)
    if idea["status"] in CLOSED:
        raise Conflict(CLOSED[idea["status"]])
    ensure_may_participate(author, idea["audience"], idea["eligibility"],
                           assisted=acting.assisted)
    body = trimmed(data.body, "body", *BODY_LIMITS, multiline=True)
    body_html = await markdown.to_html(body, "body")
    parent_id = data.parent_id
    if parent_id is not None:
        parent = await db.conn.fetchrow(
            "SELECT idea_id, deleted_at, hidden_at FROM comments WHERE id = $1", parent_id)
        if parent is None or parent["idea_id"] != idea_id:
            raise Invalid("parent_id", "parent_elsewhere")
        if parent["deleted_at"] is not None:
            raise Conflict("comment_deleted_reply")
        if parent["hidden_at"] is not None:
            raise Conflict("comment_hidden_reply")
        parent_id = await _replied_under(db.conn, parent_id)
    comment_id = await db.conn.fetchval(
        """INSERT INTO comments (idea_id, parent_id, author_id, body, body_html, created_at,
                                 updated_at, assisted_by)
           VALUES ($1, $2, $3, $4, $5, $6, $6, $7) RETURNING id""",
        idea_id, parent_id, author.id, body, body_html, db.now, acting.assisted_by)
    await audit_act(db, acting, "comment_for", idea_id=idea_id, comment_id=comment_id)
    await notify_comment(db, services, comment_id)
    # The idea's comment count changed: its cached copy must go.
    services.ideas.changed(db, [idea_id])
    return await get_comment(db.conn, comment_id, author)


async def _replied_under(conn: asyncpg.Connection, parent_id: int) -> int:
    """The comment a reply to ``parent_id`` goes under: that one, unless it is at the
    deepest level (or deeper, in a thread from before the bound); then its ancestor one
    level above the deepest, so the reply stands beside it."""
    ancestry: list[int] = [row["id"] for row in await conn.fetch(_ANCESTRY, parent_id)]
    return ancestry[min(len(ancestry), MAX_DEPTH - 1) - 1]


def _threads(comments: list[Comment]) -> list[Comment]:
    """Comments, oldest first, nested as threads at most MAX_DEPTH deep. A reply deeper
    than that in the database (written before the bound, or outside ideabox) is listed
    where it would go now: beside the deepest level, under the comment above it.
    Iterative, as a thread may be any depth."""
    known = {comment.id for comment in comments}
    roots: list[Comment] = []
    replies: dict[int, list[Comment]] = {}
    for comment in comments:
        if comment.parent_id in known:
            replies.setdefault(comment.parent_id, []).append(comment)
        else:
            roots.append(comment)
    # (a comment, the level it is shown at, the comment it is shown under)
    pending: list[tuple[Comment, int, Comment | None]] = [(r, 1, None) for r in roots]
    while pending:
        comment, level, shown_under = pending.pop()
        for reply in replies.get(comment.id, []):
            if level < MAX_DEPTH:
                comment.replies.append(reply)
                pending.append((reply, level + 1, comment))
            else:
                assert shown_under is not None  # MAX_DEPTH > 1: the deepest has a parent
                shown_under.replies.append(reply)
                pending.append((reply, level, shown_under))
    for comment in comments:
        comment.replies.sort(key=lambda reply: (reply.created_at, reply.id))
    return roots


async def get_comment(conn: asyncpg.Connection, comment_id: int,
                      viewer: Viewer | None = None) -> Comment:
    row = await conn.fetchrow(
        # S608: a constant spliced in; values go as $n.
        f"SELECT {_COLUMNS} FROM comments c JOIN users u ON u.id = c.author_id "  # noqa: S608
        f"WHERE c.id = $1", comment_id)
    if row is None:
        raise NotFound("comment_not_found", id=comment_id)
    return _comment(row, viewer)


async def list_comments(conn: asyncpg.Connection, viewer: Viewer | None, idea_id: int, *,
                        limit: int = 20, cursor: str | None = None) -> Page[Comment]:
    """A page of an idea's comments, oldest first, each with all its replies nested.
    Pages count top-level comments only, so a thread is never split between pages."""
    await _idea(conn, viewer, idea_id)
    after = decode_cursor(cursor, _After)
    tops = await conn.fetch(
        """SELECT id, created_at FROM comments
           WHERE idea_id = $1 AND parent_id IS NULL
             AND ($2::timestamptz IS NULL OR (created_at, id) > ($2, $3))
           ORDER BY created_at, id LIMIT $4""",
        idea_id, after.created_at if after else None, after.id if after else None, limit + 1)
    page, more = tops[:limit], len(tops) > limit
    rows = await conn.fetch(
        f"""WITH RECURSIVE thread AS (
                SELECT id FROM comments WHERE id = ANY($1::bigint[])
                UNION ALL
                SELECT c.id FROM comments c JOIN thread t ON c.parent_id = t.id
            )
            SELECT {_COLUMNS} FROM comments c JOIN users u ON u.id = c.author_id
            WHERE c.id IN (SELECT id FROM thread)
            ORDER BY c.created_at, c.id""",  # noqa: S608 - a constant spliced in; values go as $n
        [r["id"] for r in page])
    roots = _threads([_comment(row, viewer) for row in rows])
    next_cursor = None
    if more and page:
        next_cursor = encode_cursor(_After(created_at=page[-1]["created_at"], id=page[-1]["id"]))
    return Page(items=roots, next_cursor=next_cursor)


async def _own(conn: asyncpg.Connection, viewer: Viewer, comment_id: int) -> asyncpg.Record:
    row = await conn.fetchrow(
        """SELECT c.id, c.idea_id, c.author_id, c.deleted_at, i.status,
                  i.author_id AS idea_author
           FROM comments c JOIN ideas i ON i.id = c.idea_id WHERE c.id = $1 FOR UPDATE OF c""",
        comment_id)
    if row is None or not may_see(viewer, row["status"], row["idea_author"]):
        raise NotFound("comment_not_found", id=comment_id)
    return row


async def edit_comment(db: Db, viewer: Viewer, comment_id: int, data: CommentUpdate) -> Comment:
    """Change the text of one's own comment."""
    row = await _own(db.conn, viewer, comment_id)
    if row["author_id"] != viewer.id:
        raise Forbidden("author_edits_comment")
    if row["deleted_at"] is not None:
        raise Conflict("comment_deleted_edit")
    body = trimmed(data.body, "body", *BODY_LIMITS, multiline=True)
    await db.conn.execute(
        "UPDATE comments SET body = $2, body_html = $3, updated_at = $4 WHERE id = $1",
        comment_id, body, await markdown.to_html(body, "body"), db.now)
    return await get_comment(db.conn, comment_id, viewer)


async def delete_comment(db: Db, services: Services, viewer: Viewer, comment_id: int) -> None:
    """Delete one's own comment (moderators may delete any). Its text is erased; it keeps
    its place in the thread so replies to it stay in context. Deleting twice is a no-op."""
    row = await _own(db.conn, viewer, comment_id)
    if row["author_id"] != viewer.id and not viewer.is_moderator:
        raise Forbidden("author_or_moderator_deletes")
    if row["deleted_at"] is None:
        await db.conn.execute(
            "UPDATE comments SET body = '', body_html = '', deleted_at = $2 WHERE id = $1",
            comment_id, db.now)
        idea_id: int = row["idea_id"]
        if row["author_id"] != viewer.id:
            # A moderator removed someone else's words: that is accounted for in the log.
            await record_action(db, "delete_comment", viewer, idea_id,
                                comment_id=comment_id)
        services.ideas.changed(db, [idea_id])
