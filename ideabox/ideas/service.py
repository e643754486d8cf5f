"""Ideas: post, edit, withdraw and read one. Lists and search are in ``listing.py``."""

from __future__ import annotations

import math
from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

import asyncpg
import msgspec

from ideabox.accounts.schemas import User, Viewer
from ideabox.assisted.acting import acting_for, audit_act
from ideabox.categories.service import category_for_idea
from ideabox.ideas.cache import Found, IdeaDocument
from ideabox.ideas.deadline import deadline
from ideabox.ideas.schemas import Idea, IdeaCreate, IdeaUpdate
from ideabox.pictures.schemas import may_see_pictures, picture_of
from ideabox.platform import labels, markdown
from ideabox.platform.db import Db
from ideabox.platform.errors import Conflict, Forbidden, NotFound
from ideabox.platform.validation import trimmed
from ideabox.purposes.service import ensure_may_participate
from ideabox.services import Services
from ideabox.votes.tallies import Tally

TITLE_LIMITS = (5, 140)
BODY_LIMITS = (1, 10_000)
SECLUDED = labels.SECLUDED


def may_see(viewer: Viewer | None, status: str, author_id: int) -> bool:
    """A hidden idea, or one waiting for review, is seen only by its author and
    moderators; everything else by all."""
    if status not in SECLUDED:
        return True
    return viewer is not None and (viewer.is_moderator or viewer.id == author_id)


def _idea(doc: IdeaDocument, tally: Tally, voted_by_me: bool, now: datetime,
          viewer: Viewer | None) -> Idea:
    # Whether the answer is overdue depends on the time of reading, not of caching.
    due = deadline(doc.promoted_at, doc.answer_within_days, doc.answered_at, now)
    return Idea(
        id=doc.id, purpose=doc.purpose, title=doc.title, body=doc.body,
        body_html=doc.body_html,
        author=User(id=doc.author_id, display_name=doc.author_name, role=doc.author_role),
        status=doc.status, votes=tally.total, votes_this_month=tally.month,
        comment_count=doc.comment_count, created_at=doc.created_at,
        voted_by_me=voted_by_me, updated_at=doc.updated_at,
        promoted_month=doc.promoted_month, assisted=doc.assisted,
        promoted_at=due.promoted_at, answer_due=due.answer_due, answered_at=due.answered_at,
        overdue=due.overdue, category=doc.category,
        pictures=[picture_of(p) for p in doc.pictures]
        if may_see_pictures(viewer, doc.status, doc.author_id) else [],
    )


async def cached_idea(services: Services, idea_id: int) -> Idea | None:
    """The idea as an anonymous reader sees it, from Redis alone; None when it is not
    (wholly) cached, or is hidden — then ask PostgreSQL."""
    found = await services.ideas.read([idea_id])
    if idea_id not in found.ideas:
        return None
    doc, tally = found.ideas[idea_id]
    if doc.status in SECLUDED:
        return None
    return _idea(doc, tally, voted_by_me=False, now=services.now(), viewer=None)


async def ideas_by_id(conn: asyncpg.Connection, services: Services, viewer: Viewer | None,
                      idea_ids: Sequence[int]) -> list[Idea]:
    """Ideas in the order of ``idea_ids``, with their services (hidden ones left out
    unless the viewer may see them). Cached documents where Redis has them, PostgreSQL
    for the rest, which are then cached."""
    if not idea_ids:
        return []
    if conn.is_in_transaction():
        # Inside a write: read what this transaction wrote, and never publish it to the
        # cache before it commits (it may yet roll back).
        found = Found(cache_usable=False)
    else:
        found = await services.ideas.read(idea_ids)
    missing = [i for i in dict.fromkeys(idea_ids) if i not in found.ideas]
    if missing:
        await services.ideas.read_missing(conn, missing, found)
    voted: set[int] = set()
    if viewer is not None:
        rows = await conn.fetch("SELECT idea_id FROM votes WHERE voter_id = $1 "
                                "AND idea_id = ANY($2::bigint[])", viewer.id, list(idea_ids))
        voted = {row["idea_id"] for row in rows}
    now = services.now()
    return [_idea(doc, tally, idea_id in voted, now, viewer)
            for idea_id in idea_ids if idea_id in found.ideas
            for doc, tally in [found.ideas[idea_id]]
            if may_see(viewer, doc.status, doc.author_id)]


async def get_idea(conn: asyncpg.Connection, services: Services, viewer: Viewer | None,
                   idea_id: int) -> Idea:
    """One idea with its live tally; 404 if unknown (or hidden from this viewer). An idea
    awaiting review says when its review is expected."""
    ideas = await ideas_by_id(conn, services, viewer, [idea_id])
    if not ideas:
        raise NotFound("idea_not_found", id=idea_id)
    idea = ideas[0]
    if idea.status == "pending_review":
        idea.review_expected_at = idea.created_at + await review_time(conn, services.now())
    return idea


# How long review before publishing takes: the median of the reviews decided in the last
# 90 days, or REVIEW_DEFAULT when there were none (a new service, or a quiet season).
REVIEW_WINDOW = timedelta(days=90)
REVIEW_DEFAULT = timedelta(days=2)
_REVIEW_MEDIAN = """
SELECT percentile_cont(0.5) WITHIN GROUP (ORDER BY extract(epoch FROM closed_at - opened_at))
FROM moderation_cases
WHERE kind = 'review' AND closed_at IS NOT NULL AND closed_at > $1 AND closed_at <= $2
"""


async def review_time(conn: asyncpg.Connection, now: datetime) -> timedelta:
    """The time a review is expected to take, in whole hours (at least one)."""
    seconds: float | None = await conn.fetchval(_REVIEW_MEDIAN, now - REVIEW_WINDOW, now)
    if seconds is None:
        return REVIEW_DEFAULT
    return timedelta(hours=max(1, math.ceil(seconds / 3600)))


async def _purpose_for_posting(conn: asyncpg.Connection, slug: str) -> asyncpg.Record:
    row = await conn.fetchrow(
        "SELECT id, audience, eligibility, timezone, review_before_publishing FROM purposes "
        "WHERE slug = $1", slug)
    if row is None:
        raise NotFound("purpose_not_found", slug=slug)
    return row


async def create_idea(db: Db, services: Services, viewer: Viewer, slug: str,
                      data: IdeaCreate) -> Idea:
    """Post an idea for a purpose (if the purpose's audience includes the author): the
    viewer's own, or, with ``on_behalf_of``, one staff enter for a person registered for
    assisted participation (``assisted.acting``)."""
    acting = await acting_for(db.conn, viewer, data.on_behalf_of)
    author = acting.person
    purpose = await _purpose_for_posting(db.conn, slug)
    ensure_may_participate(author, purpose["audience"], purpose["eligibility"],
                           assisted=acting.assisted)
    title = trimmed(data.title, "title", *TITLE_LIMITS)
    body = trimmed(data.body, "body", *BODY_LIMITS, multiline=True)
    body_html = await markdown.to_html(body, "body")
    category_id = await category_for_idea(db.conn, purpose["id"], data.category)
    row = await db.conn.fetchrow(
        """
        INSERT INTO ideas (purpose_id, author_id, title, body, body_html, created_at,
                           updated_at, assisted_by, category_id)
        VALUES ($1, $2, $3, $4, $5, $6, $6, $7, $8) RETURNING id, created_at
        """,
        purpose["id"], author.id, title, body, body_html, db.now, acting.assisted_by,
        category_id)
    assert row is not None
    idea_id: int = row["id"]
    if purpose["review_before_publishing"]:
        # Waits in the moderators' queue, seen by its author and moderators only, until
        # a moderator publishes it (moderation/queue.py).
        await db.conn.execute("UPDATE ideas SET status = 'pending_review' WHERE id = $1",
                              idea_id)
        await record_status_change(db, idea_id, None, "pending_review", author.id, "posted")
        await db.conn.execute("INSERT INTO moderation_cases (kind, idea_id, opened_at) "
                              "VALUES ('review', $1, $2)", idea_id, db.now)
    else:
        await record_status_change(db, idea_id, None, "open", author.id, "posted")
    await audit_act(db, acting, "post_idea_for", idea_id=idea_id)
    services.ideas.changed(db, [idea_id])
    return await get_idea(db.conn, services, viewer, idea_id)


async def _for_change(conn: asyncpg.Connection, viewer: Viewer, idea_id: int) -> asyncpg.Record:
    row = await conn.fetchrow(
        "SELECT id, author_id, status, purpose_id, category_id FROM ideas WHERE id = $1 "
        "FOR UPDATE", idea_id)
    if row is None or not may_see(viewer, row["status"], row["author_id"]):
        raise NotFound("idea_not_found", id=idea_id)
    return row


async def update_idea(db: Db, services: Services, viewer: Viewer, idea_id: int,
                      data: IdeaUpdate) -> Idea:
    """Edit an idea: its author while it is open (or awaiting review), an administrator at
    any time."""
    row = await _for_change(db.conn, viewer, idea_id)
    if not viewer.is_admin:
        if row["author_id"] != viewer.id:
            raise Forbidden("author_or_admin_edits")
        # Awaiting review, the author may still correct it.
        if row["status"] not in ("open", "pending_review"):
            raise Conflict("edit_only_open")
    changes: dict[str, Any] = {}
    if isinstance(data.title, str):
        changes["title"] = trimmed(data.title, "title", *TITLE_LIMITS)
    if isinstance(data.body, str):
        changes["body"] = trimmed(data.body, "body", *BODY_LIMITS, multiline=True)
        changes["body_html"] = await markdown.to_html(changes["body"], "body")
    if data.category is not msgspec.UNSET:
        changes["category_id"] = await category_for_idea(
            db.conn, row["purpose_id"], data.category, current=row["category_id"])
    if changes:
        assignments = ", ".join(f"{name} = ${i}" for i, name in enumerate(changes, start=2))
        stamp = f"updated_at = ${len(changes) + 2}"
        # Columns are IdeaUpdate's own field names (and category_id); values go as $n.
        update = f"UPDATE ideas SET {assignments}, {stamp} WHERE id = $1"  # noqa: S608
        await db.conn.execute(update, idea_id, *changes.values(), db.now)
        services.ideas.changed(db, [idea_id])
    return await get_idea(db.conn, services, viewer, idea_id)


async def withdraw_idea(db: Db, services: Services, viewer: Viewer, idea_id: int) -> Idea:
    """The author takes their open idea back; it leaves the lists and voting ends.
    Withdrawing a withdrawn idea changes nothing."""
    row = await _for_change(db.conn, viewer, idea_id)
    if row["author_id"] != viewer.id:
        raise Forbidden("author_withdraws")
    if row["status"] != "withdrawn":
        if row["status"] != "open":
            raise Conflict("withdraw_only_open")
        await set_status(db, services, idea_id, "open", "withdrawn", viewer.id, "withdrawn")
    return await get_idea(db.conn, services, viewer, idea_id)


async def set_status(db: Db, services: Services, idea_id: int, old: str, new: str,
                     changed_by: int | None, trigger: str,
                     response: markdown.Rendered | None = None) -> int:
    """Change an idea's status, keep the change in its history (with ``response``, from
    ``markdown.rendered``), and (after the commit) bring the cache in line: withdrawn
    and hidden ideas leave the leaderboards. Returns the history entry's id."""
    await db.conn.execute("UPDATE ideas SET status = $2, updated_at = $3 WHERE id = $1",
                          idea_id, new, db.now)
    change_id = await record_status_change(db, idea_id, old, new, changed_by, trigger,
                                           response)
    services.ideas.changed(db, [idea_id])
    return change_id


async def record_status_change(db: Db, idea_id: int, old: str | None, new: str,
                               changed_by: int | None, trigger: str,
                               response: markdown.Rendered | None = None) -> int:
    change_id: int = await db.conn.fetchval(
        """
        INSERT INTO idea_status_changes (idea_id, from_status, to_status, changed_by,
                                         trigger, response, response_html, created_at)
        VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id
        """,
        idea_id, old, new, changed_by, trigger, response.text if response else None,
        response.html if response else None, db.now)
    return change_id
