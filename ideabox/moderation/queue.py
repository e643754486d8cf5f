"""The moderators' queue: open cases, the decisions that close them, and the author's
one request for a second look.

Open cases are listed reported items first (the most distinct reporters first, then the
oldest), then second looks, then ideas waiting for review (oldest first). A decision:

- ``keep``: the item is shown again (an idea with the status it had before it was
  hidden) and its reports are closed; new reports count afresh.
- ``hide``: the item stays hidden, or is hidden now.
- ``edit_request``: the item is shown again, like ``keep``, and its author is asked to
  change what the reason says. Shown, so that its author can edit it (an idea can be
  edited only while it is open); an item that must not be seen until it is changed is
  hidden instead, and its author may ask for a second look once they have changed it.
- ``approve`` (review): the idea is published: status ``open`` (trigger ``published``),
  and its ``created_at`` becomes the moment of publication, so lists, the month and its
  votes count from then; its submission stays in its history.
- ``reject`` (review): the idea is hidden (trigger ``review``), its author told why.

Each decision is a moderator action in the log, with its reason and its case, and its
author is told (in the app, and by e-mail where their settings allow). An author may
ask once per item for a second look at a decision against it (hide, edit_request,
reject); that opens a ``second_look`` case.
"""

from __future__ import annotations

from collections.abc import Sequence

import asyncpg
import msgspec

from ideabox.accounts.schemas import User, Viewer
from ideabox.ideas.service import may_see, set_status
from ideabox.moderation.log import record_action
from ideabox.moderation.schemas import (
    Action,
    Case,
    CaseDecision,
    CaseReport,
    SecondLookRequest,
)
from ideabox.moderation.service import BEFORE_HIDING, ensure_may_moderate
from ideabox.notifications.schemas import Kind
from ideabox.notifications.service import notify_decision
from ideabox.platform import markdown
from ideabox.platform.db import Db
from ideabox.platform.errors import Conflict, Forbidden, Invalid, NotFound
from ideabox.platform.pagination import Page, decode_cursor, encode_cursor
from ideabox.platform.validation import trimmed
from ideabox.services import Services

REASON_LIMITS = (1, 1000)
MESSAGE_LIMITS = (1, 1000)
# The decisions each kind of case takes.
DECISIONS = {"reports": ("keep", "hide", "edit_request"),
             "second_look": ("keep", "hide", "edit_request"),
             "review": ("approve", "reject")}
# What the author is told, by decision.
KINDS: dict[str, Kind] = {"keep": "kept", "hide": "hidden", "edit_request": "edit_requested",
         "approve": "published", "reject": "not_published"}
# A second look is asked about a decision against the item.
AGAINST = ("hide", "edit_request", "reject")


class _Offset(msgspec.Struct, forbid_unknown_fields=True):
    # The queue reorders as reports arrive; an offset is as stable as it can be.
    offset: int = msgspec.field(default=0)


_CASES = """
SELECT mc.id, mc.kind, mc.idea_id, mc.comment_id, mc.opened_at, mc.message, mc.closed_at,
       mc.decision, mc.reason, i.title AS idea_title, i.status AS idea_status,
       CASE WHEN mc.comment_id IS NULL THEN i.body ELSE c.body END AS text,
       CASE WHEN mc.comment_id IS NULL THEN i.status = 'hidden'
            ELSE c.hidden_at IS NOT NULL END AS hidden,
       a.id AS author_id, a.display_name AS author_name, a.role AS author_role,
       d.id AS decider_id, d.display_name AS decider_name, d.role AS decider_role,
       (SELECT count(DISTINCT r.reporter_id) FROM reports r WHERE r.case_id = mc.id)
           AS reporters
FROM moderation_cases mc
JOIN ideas i ON i.id = mc.idea_id
LEFT JOIN comments c ON c.id = mc.comment_id
LEFT JOIN users a ON a.id = CASE WHEN mc.comment_id IS NULL THEN i.author_id
                                 ELSE c.author_id END
LEFT JOIN users d ON d.id = mc.decided_by
"""

_QUEUE = _CASES + """
WHERE mc.closed_at IS NULL
ORDER BY CASE mc.kind WHEN 'reports' THEN 0 WHEN 'second_look' THEN 1 ELSE 2 END,
         reporters DESC, mc.opened_at, mc.id
OFFSET $1 LIMIT $2
"""

_REPORTS = """
SELECT case_id, reason, text, created_at FROM reports
WHERE case_id = ANY($1::bigint[]) ORDER BY created_at, id
"""


async def _cases(conn: asyncpg.Connection, rows: Sequence[asyncpg.Record]) -> list[Case]:
    reports: dict[int, list[CaseReport]] = {row["id"]: [] for row in rows}
    for r in await conn.fetch(_REPORTS, list(reports)):
        reports[r["case_id"]].append(CaseReport(reason=r["reason"], text=r["text"],
                                                created_at=r["created_at"]))
    return [Case(
        id=row["id"], kind=row["kind"], idea_id=row["idea_id"], idea_title=row["idea_title"],
        idea_status=row["idea_status"], comment_id=row["comment_id"], text=row["text"],
        author=None if row["author_id"] is None else User(
            id=row["author_id"], display_name=row["author_name"], role=row["author_role"]),
        hidden=row["hidden"], opened_at=row["opened_at"], reporters=row["reporters"],
        reports=reports[row["id"]], message=row["message"], closed_at=row["closed_at"],
        decision=row["decision"],
        decided_by=None if row["decider_id"] is None else User(
            id=row["decider_id"], display_name=row["decider_name"], role=row["decider_role"]),
        reason=row["reason"]) for row in rows]


async def list_queue(conn: asyncpg.Connection, viewer: Viewer, *, limit: int,
                     cursor: str | None = None) -> Page[Case]:
    """The open cases, in the order moderators take them (moderators and administrators)."""
    ensure_may_moderate(viewer)
    start = (decode_cursor(cursor, _Offset) or _Offset()).offset
    rows = await conn.fetch(_QUEUE, start, limit + 1)
    items = await _cases(conn, rows[:limit])
    more = len(rows) > limit
    return Page(items=items,
                next_cursor=encode_cursor(_Offset(offset=start + limit)) if more else None)


async def get_case(conn: asyncpg.Connection, case_id: int) -> Case:
    rows = await conn.fetch(_CASES + "WHERE mc.id = $1", case_id)
    if not rows:
        raise NotFound("case_not_found", id=case_id)
    return (await _cases(conn, rows))[0]


async def _show_idea(db: Db, services: Services, moderator: Viewer, idea_id: int,
                     reason: markdown.Rendered) -> int | None:
    """Show a hidden idea again with the status it had (publish it, if it was waiting for
    review); the status change's id, or None if it was not hidden."""
    status = await db.conn.fetchval("SELECT status FROM ideas WHERE id = $1", idea_id)
    if status != "hidden":
        return None
    previous: str | None = await db.conn.fetchval(BEFORE_HIDING, idea_id)
    if previous is None or previous == "hidden":
        raise Conflict("hidden_status_unknown")
    if previous == "pending_review":
        return await _publish(db, services, moderator, idea_id, "hidden", reason)
    return await set_status(db, services, idea_id, "hidden", previous, moderator.id,
                            "moderation", reason)


async def _publish(db: Db, services: Services, moderator: Viewer, idea_id: int, old: str,
                   reason: markdown.Rendered) -> int:
    # Published now: the lists, the month and the votes count from here.
    await db.conn.execute("UPDATE ideas SET created_at = $2 WHERE id = $1", idea_id, db.now)
    return await set_status(db, services, idea_id, old, "open", moderator.id, "published",
                            reason)


async def _decide_idea(db: Db, services: Services, moderator: Viewer, idea_id: int,
                       decision: str, reason: markdown.Rendered) -> int | None:
    status: str = await db.conn.fetchval(
        "SELECT status FROM ideas WHERE id = $1 FOR UPDATE", idea_id)
    if decision in ("keep", "edit_request"):
        return await _show_idea(db, services, moderator, idea_id, reason)
    if decision == "hide":
        if status == "hidden":
            return None
        return await set_status(db, services, idea_id, status, "hidden", moderator.id,
                                "moderation", reason)
    if status != "pending_review":
        raise Conflict("not_pending_review")
    if decision == "approve":
        return await _publish(db, services, moderator, idea_id, status, reason)
    return await set_status(db, services, idea_id, status, "hidden", moderator.id, "review",
                            reason)


async def _decide_comment(db: Db, comment_id: int, decision: str) -> None:
    hidden_at = None if decision in ("keep", "edit_request") else db.now
    await db.conn.execute(
        "UPDATE comments SET hidden_at = CASE WHEN $2::timestamptz IS NULL THEN NULL "
        "ELSE coalesce(hidden_at, $2) END WHERE id = $1", comment_id, hidden_at)


async def decide_case(db: Db, services: Services, viewer: Viewer, case_id: int,
                      data: CaseDecision) -> Case:
    """Close an open case with a decision and its reason, log it and tell the author.
    409 if the case is closed; 400 naming ``decision`` if the case does not take it."""
    ensure_may_moderate(viewer)
    case = await db.conn.fetchrow(
        "SELECT id, kind, idea_id, comment_id, closed_at FROM moderation_cases "
        "WHERE id = $1 FOR UPDATE", case_id)
    if case is None:
        raise NotFound("case_not_found", id=case_id)
    if data.decision not in DECISIONS[case["kind"]]:
        raise Invalid("decision", "decision_not_for_case",
                      allowed=", ".join(DECISIONS[case["kind"]]))
    text = trimmed(data.reason, "reason", *REASON_LIMITS, multiline=True)
    if case["closed_at"] is not None:
        raise Conflict("case_closed")
    reason = await markdown.rendered(text, "reason")
    idea_id: int = case["idea_id"]
    comment_id: int | None = case["comment_id"]
    change_id = None
    if comment_id is None:
        change_id = await _decide_idea(db, services, viewer, idea_id, data.decision, reason)
    else:
        await _decide_comment(db, comment_id, data.decision)
    await db.conn.execute(
        "UPDATE moderation_cases SET closed_at = $2, decision = $3, decided_by = $4, "
        "reason = $5 WHERE id = $1", case_id, db.now, data.decision, viewer.id, text)
    action_id = await record_action(db, _ACTION[data.decision], viewer, idea_id,
                                    comment_id=comment_id, status_change_id=change_id,
                                    reason=text, case_id=case_id)
    await notify_decision(db, action_id, KINDS[data.decision])
    services.mailer.decision_after_commit(db, action_id)
    return await get_case(db.conn, case_id)


_ACTION: dict[str, Action] = {"keep": "keep", "hide": "hide", "edit_request": "edit_request",
           "approve": "approve", "reject": "reject"}


async def ask_second_look(db: Db, viewer: Viewer, *, idea_id: int | None = None,
                          comment_id: int | None = None,
                          data: SecondLookRequest) -> Case:
    """The author asks the moderators to look again at a decision against their idea or
    comment (hide, edit_request, reject): once per item. 403 for anyone else; 409 when
    there is no such decision, the item is in the queue already, or they asked once."""
    conn = db.conn
    if comment_id is None:
        row = await conn.fetchrow("SELECT id AS idea_id, status, author_id, "
                                  "author_id AS idea_author FROM ideas WHERE id = $1 "
                                  "FOR UPDATE", idea_id)
        missing = NotFound("idea_not_found", id=idea_id)
    else:
        row = await conn.fetchrow(
            "SELECT c.idea_id, i.status, c.author_id, i.author_id AS idea_author "
            "FROM comments c JOIN ideas i ON i.id = c.idea_id WHERE c.id = $1 "
            "FOR UPDATE OF c", comment_id)
        missing = NotFound("comment_not_found", id=comment_id)
    if row is None or not may_see(viewer, row["status"], row["idea_author"]):
        raise missing
    if row["author_id"] != viewer.id:
        raise Forbidden("author_asks_second_look")
    idea_id = row["idea_id"]
    message = None
    if data.message is not None and data.message.strip():
        message = trimmed(data.message, "message", *MESSAGE_LIMITS, multiline=True)
    cases = await conn.fetch(
        "SELECT kind, closed_at, decision FROM moderation_cases WHERE idea_id = $1 "
        "AND comment_id IS NOT DISTINCT FROM $2 ORDER BY id DESC", idea_id, comment_id)
    if any(c["kind"] == "second_look" for c in cases):
        raise Conflict("second_look_used")
    if any(c["closed_at"] is None for c in cases):
        raise Conflict("case_open")
    if not cases or cases[0]["decision"] not in AGAINST:
        raise Conflict("nothing_to_look_at")
    case_id: int = await conn.fetchval(
        "INSERT INTO moderation_cases (kind, idea_id, comment_id, opened_at, message) "
        "VALUES ('second_look', $1, $2, $3, $4) RETURNING id",
        idea_id, comment_id, db.now, message)
    case = await get_case(conn, case_id)
    # The reporters' words are for the moderators.
    case.reports = []
    return case


class Marks(msgspec.Struct):
    """What the idea's page shows one reader about reports: the items (None: the idea,
    else a comment's id) they reported, and for their own items with a decision against
    them, the second look: ``available``, ``open`` (waiting) or ``used``."""

    reported: set[int | None] = msgspec.field(default_factory=set)
    looks: dict[int | None, str] = msgspec.field(default_factory=dict)


_OWN_CASES = """
SELECT mc.comment_id, mc.kind, mc.closed_at, mc.decision
FROM moderation_cases mc
JOIN ideas i ON i.id = mc.idea_id
LEFT JOIN comments c ON c.id = mc.comment_id
WHERE mc.idea_id = $2 AND coalesce(c.author_id, i.author_id) = $1
ORDER BY mc.id
"""


async def marks_for(conn: asyncpg.Connection, viewer: Viewer | None, idea_id: int) -> Marks:
    """The reader's reports and second looks on an idea and its comments."""
    marks = Marks()
    if viewer is None:
        return marks
    marks.reported = {r["comment_id"] for r in await conn.fetch(
        "SELECT comment_id FROM reports WHERE reporter_id = $1 AND idea_id = $2",
        viewer.id, idea_id)}
    latest: dict[int | None, asyncpg.Record] = {}
    asked: dict[int | None, bool] = {}
    for row in await conn.fetch(_OWN_CASES, viewer.id, idea_id):
        key = row["comment_id"]
        latest[key] = row
        if row["kind"] == "second_look":
            asked[key] = True
    for key, row in latest.items():
        if row["kind"] == "second_look" and row["closed_at"] is None:
            marks.looks[key] = "open"
        elif asked.get(key):
            marks.looks[key] = "used"
        elif row["closed_at"] is not None and row["decision"] in AGAINST:
            marks.looks[key] = "available"
    return marks
