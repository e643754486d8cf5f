"""Public responses: an administrator answers a promoted idea with a status and a text.

The transitions (README, "Responses and statuses"): a promoted idea can be taken under
review, accepted or rejected; one under review can be accepted or rejected; an accepted
one implemented or, after all, rejected. `implemented` and `rejected` are final: the
answer residents were given stands, and a changed decision is a new idea. While an idea
is under review or accepted the administration may post progress: a response that
keeps the status.
"""

from __future__ import annotations

import asyncpg

from ideabox.accounts.schemas import User, Viewer
from ideabox.ideas.service import may_see, set_status
from ideabox.notifications.service import notify_status_changes
from ideabox.platform import markdown
from ideabox.platform.db import Db
from ideabox.platform.errors import Conflict, Forbidden, NotFound
from ideabox.platform.pagination import Page
from ideabox.platform.validation import trimmed
from ideabox.responses.schemas import ResponseCreate, StatusChange
from ideabox.services import Services

RESPONSE_LIMITS = (1, 10_000)
TRIGGER = "response"

TRANSITIONS: dict[str, tuple[str, ...]] = {
    "promoted": ("under_review", "accepted", "rejected"),
    "under_review": ("under_review", "accepted", "rejected"),
    "accepted": ("accepted", "implemented", "rejected"),
}

_HISTORY = """
SELECT sc.id, sc.idea_id, sc.from_status, sc.to_status, sc.trigger, sc.created_at,
       sc.response, sc.response_html,
       sc.changed_by, u.display_name AS changed_by_name, u.role AS changed_by_role
FROM idea_status_changes sc
LEFT JOIN users u ON u.id = sc.changed_by
"""


def _change(row: asyncpg.Record) -> StatusChange:
    who = None
    if row["changed_by"] is not None:
        who = User(id=row["changed_by"], display_name=row["changed_by_name"],
                   role=row["changed_by_role"])
    return StatusChange(id=row["id"], idea_id=row["idea_id"], from_status=row["from_status"],
                        to_status=row["to_status"], changed_by=who, trigger=row["trigger"],
                        created_at=row["created_at"], response=row["response"],
                        response_html=row["response_html"])


def allowed_answers(status: str) -> tuple[str, ...]:
    """The statuses an administrator may answer an idea in ``status`` with."""
    return TRANSITIONS.get(status, ())


async def respond_to_idea(db: Db, services: Services, viewer: Viewer,
                          idea_id: int, data: ResponseCreate) -> StatusChange:
    """Answer an idea in public with a new status (administrators only); 409 if its
    current status does not allow that answer."""
    if not viewer.is_admin:
        raise Forbidden("admins_only_answer")
    row = await db.conn.fetchrow("SELECT status FROM ideas WHERE id = $1 FOR UPDATE", idea_id)
    if row is None:
        raise NotFound("idea_not_found", id=idea_id)
    answer = await markdown.rendered(
        trimmed(data.response, "response", *RESPONSE_LIMITS, multiline=True), "response")
    current: str = row["status"]
    allowed = allowed_answers(current)
    if data.status not in allowed:
        if not allowed:
            raise Conflict("answer_final", field="status", answer=data.status, status=current)
        raise Conflict("answer_not_allowed", field="status", answer=data.status,
                       status=current, allowed=", ".join(allowed))
    await set_status(db, services, idea_id, current, data.status, viewer.id, TRIGGER, answer)
    change_ids = await notify_status_changes(db.conn, [idea_id])
    services.mailer.after_commit(db, change_ids)
    made = await db.conn.fetchrow(_HISTORY + "WHERE sc.id = $1", change_ids[0])
    assert made is not None
    return _change(made)


# Changes whose text is a moderator's word to the author (hiding, the queue's decisions,
# review before publishing): the public sees the change, not the text.
PRIVATE_TRIGGERS = ("moderation", "review", "published")


async def idea_history(conn: asyncpg.Connection, viewer: Viewer | None,
                       idea_id: int) -> Page[StatusChange]:
    """Every status change of an idea, oldest first; 404 if the viewer may not see it."""
    idea = await conn.fetchrow("SELECT status, author_id FROM ideas WHERE id = $1", idea_id)
    if idea is None or not may_see(viewer, idea["status"], idea["author_id"]):
        raise NotFound("idea_not_found", id=idea_id)
    rows = await conn.fetch(_HISTORY + "WHERE sc.idea_id = $1 ORDER BY sc.created_at, sc.id",
                            idea_id)
    changes = [_change(r) for r in rows]
    if not (viewer is not None and (viewer.is_moderator or viewer.id == idea["author_id"])):
        # A moderator's reason is written to the author and may name what was wrong (a
        # neighbour's name, say): the public sees that the idea was hidden, not why.
        for change in changes:
            if change.trigger in PRIVATE_TRIGGERS:
                change.response = change.response_html = None
    # A history is a few entries long: one page, always.
    return Page(items=changes, next_cursor=None)
