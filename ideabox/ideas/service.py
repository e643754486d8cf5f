"""Ideas: post, edit, withdraw and read one. Lists and search are in ``listing.py``."""

from __future__ import annotations

import contextlib
from collections.abc import Sequence
from typing import Any

import asyncpg

from ideabox import markdown
from ideabox.accounts.schemas import User, Viewer
from ideabox.cache import CacheUnavailable
from ideabox.db import Db
from ideabox.errors import Conflict, Forbidden, NotFound
from ideabox.ideas.schemas import Idea, IdeaCreate, IdeaUpdate
from ideabox.months import current_month
from ideabox.purposes.service import ensure_may_participate
from ideabox.validation import trimmed
from ideabox.votes.counts import idea_counts
from ideabox.votes.reading import IdeaRef, read_tallies
from ideabox.votes.tallies import Tallies, Tally

TITLE_LIMITS = (5, 140)
BODY_LIMITS = (1, 10_000)

_SELECT = """
SELECT i.id, i.purpose_id, p.slug AS purpose, p.timezone, i.title, i.body, i.body_html,
       i.status, i.created_at, i.updated_at,
       i.author_id, u.display_name AS author_name, u.role AS author_role,
       (SELECT count(*) FROM comments c
        WHERE c.idea_id = i.id AND c.deleted_at IS NULL) AS comment_count,
       EXISTS (SELECT 1 FROM votes v WHERE v.idea_id = i.id AND v.voter_id = $2)
           AS voted_by_me,
       (SELECT to_char(pr.month, 'YYYY-MM') FROM promotions pr WHERE pr.idea_id = i.id)
           AS promoted_month
FROM ideas i
JOIN purposes p ON p.id = i.purpose_id
JOIN users u ON u.id = i.author_id
"""


def may_see(viewer: Viewer | None, status: str, author_id: int) -> bool:
    """A hidden idea is seen only by its author and moderators; everything else by all."""
    if status != "hidden":
        return True
    return viewer is not None and (viewer.is_moderator or viewer.id == author_id)


def _idea(row: asyncpg.Record, tally: Tally) -> Idea:
    return Idea(
        id=row["id"], purpose=row["purpose"], title=row["title"], body=row["body"],
        body_html=row["body_html"],
        author=User(id=row["author_id"], display_name=row["author_name"],
                    role=row["author_role"]),
        status=row["status"], votes=tally.total, votes_this_month=tally.month,
        comment_count=row["comment_count"], created_at=row["created_at"],
        voted_by_me=row["voted_by_me"], updated_at=row["updated_at"],
        promoted_month=row["promoted_month"],
    )


async def ideas_by_id(conn: asyncpg.Connection, tallies: Tallies, viewer: Viewer | None,
                      idea_ids: Sequence[int]) -> list[Idea]:
    """Ideas in the order of ``idea_ids``, with their tallies (hidden ones left out
    unless the viewer may see them)."""
    if not idea_ids:
        return []
    rows = await conn.fetch(_SELECT + "WHERE i.id = ANY($1::bigint[])", list(idea_ids),
                            viewer.id if viewer else None)
    visible = {r["id"]: r for r in rows if may_see(viewer, r["status"], r["author_id"])}
    ordered = [visible[i] for i in idea_ids if i in visible]
    found = await read_tallies(conn, tallies, [IdeaRef(r["id"], r["purpose_id"], r["timezone"])
                                               for r in ordered])
    return [_idea(r, found.get(r["id"], Tally(0, 0))) for r in ordered]


async def get_idea(conn: asyncpg.Connection, tallies: Tallies, viewer: Viewer | None,
                   idea_id: int) -> Idea:
    """One idea with its live tally; 404 if unknown (or hidden from this viewer)."""
    ideas = await ideas_by_id(conn, tallies, viewer, [idea_id])
    if not ideas:
        raise NotFound(f"No idea {idea_id}")
    return ideas[0]


async def _purpose_for_posting(conn: asyncpg.Connection, slug: str) -> asyncpg.Record:
    row = await conn.fetchrow("SELECT id, audience, timezone FROM purposes WHERE slug = $1",
                              slug)
    if row is None:
        raise NotFound(f"No purpose '{slug}'")
    return row


async def create_idea(db: Db, tallies: Tallies, viewer: Viewer, slug: str,
                      data: IdeaCreate) -> Idea:
    """Post an idea for a purpose (if the purpose's audience includes the viewer)."""
    purpose = await _purpose_for_posting(db.conn, slug)
    ensure_may_participate(viewer, purpose["audience"])
    title = trimmed(data.title, "title", *TITLE_LIMITS)
    body = trimmed(data.body, "body", *BODY_LIMITS)
    row = await db.conn.fetchrow(
        """
        INSERT INTO ideas (purpose_id, author_id, title, body, body_html)
        VALUES ($1, $2, $3, $4, $5) RETURNING id, created_at
        """,
        purpose["id"], viewer.id, title, body, markdown.render(body))
    assert row is not None
    await record_status_change(db.conn, row["id"], None, "open", viewer.id, "posted")
    idea_id: int = row["id"]
    db.after_commit(lambda: refresh_cached_idea(db.conn, tallies, idea_id))
    return await get_idea(db.conn, tallies, viewer, idea_id)


async def _for_change(conn: asyncpg.Connection, viewer: Viewer, idea_id: int) -> asyncpg.Record:
    row = await conn.fetchrow(
        "SELECT id, author_id, status, purpose_id FROM ideas WHERE id = $1 FOR UPDATE", idea_id)
    if row is None or not may_see(viewer, row["status"], row["author_id"]):
        raise NotFound(f"No idea {idea_id}")
    return row


async def update_idea(db: Db, tallies: Tallies, viewer: Viewer, idea_id: int,
                      data: IdeaUpdate) -> Idea:
    """Edit an idea: its author while it is open, an administrator at any time."""
    row = await _for_change(db.conn, viewer, idea_id)
    if not viewer.is_admin:
        if row["author_id"] != viewer.id:
            raise Forbidden("Only the author or an administrator may edit this idea")
        if row["status"] != "open":
            raise Conflict("An idea can be edited only while it is open")
    changes: dict[str, Any] = {}
    if isinstance(data.title, str):
        changes["title"] = trimmed(data.title, "title", *TITLE_LIMITS)
    if isinstance(data.body, str):
        changes["body"] = trimmed(data.body, "body", *BODY_LIMITS)
        changes["body_html"] = markdown.render(changes["body"])
    if changes:
        assignments = ", ".join(f"{name} = ${i}" for i, name in enumerate(changes, start=2))
        await db.conn.execute(
            f"UPDATE ideas SET {assignments}, updated_at = now() WHERE id = $1",
            idea_id, *changes.values())
    return await get_idea(db.conn, tallies, viewer, idea_id)


async def withdraw_idea(db: Db, tallies: Tallies, viewer: Viewer, idea_id: int) -> Idea:
    """The author takes their open idea back; it leaves the lists and voting ends.
    Withdrawing a withdrawn idea changes nothing."""
    row = await _for_change(db.conn, viewer, idea_id)
    if row["author_id"] != viewer.id:
        raise Forbidden("Only the author may withdraw this idea")
    if row["status"] != "withdrawn":
        if row["status"] != "open":
            raise Conflict("Only an open idea can be withdrawn")
        await set_status(db, tallies, idea_id, "open", "withdrawn", viewer.id, "withdrawn")
    return await get_idea(db.conn, tallies, viewer, idea_id)


async def set_status(db: Db, tallies: Tallies, idea_id: int, old: str, new: str,
                     changed_by: int | None, trigger: str, response: str | None = None) -> None:
    """Change an idea's status, keep the change in its history, and (after the commit)
    bring the cache in line: withdrawn and hidden ideas leave the leaderboards."""
    await db.conn.execute("UPDATE ideas SET status = $2, updated_at = now() WHERE id = $1",
                          idea_id, new)
    await record_status_change(db.conn, idea_id, old, new, changed_by, trigger, response)
    db.after_commit(lambda: refresh_cached_idea(db.conn, tallies, idea_id))


async def record_status_change(conn: asyncpg.Connection, idea_id: int, old: str | None,
                               new: str, changed_by: int | None, trigger: str,
                               response: str | None = None) -> None:
    await conn.execute(
        """
        INSERT INTO idea_status_changes
            (idea_id, from_status, to_status, changed_by, trigger, response, response_html)
        VALUES ($1, $2, $3, $4, $5, $6, $7)
        """,
        idea_id, old, new, changed_by, trigger, response,
        markdown.render(response) if response else None)


async def refresh_cached_idea(conn: asyncpg.Connection, tallies: Tallies, idea_id: int) -> None:
    """Store an idea's counts and visibility, read from PostgreSQL, in Redis. A failure is
    recorded by the cache (it will be rebuilt), so it never fails the request."""
    row = await conn.fetchrow(
        "SELECT i.purpose_id, p.timezone FROM ideas i JOIN purposes p ON p.id = i.purpose_id "
        "WHERE i.id = $1", idea_id)
    if row is None:
        return
    month = current_month(row["timezone"])
    counts = await idea_counts(conn, [idea_id], month, row["timezone"])
    with contextlib.suppress(CacheUnavailable):
        await tallies.store(row["purpose_id"], counts.values(), month)

