"""The feeds' content: what a signed-out reader may see of a purpose and of an idea, newest
first, in the reader's language.

Only public content: an idea that is hidden, withdrawn or waiting for review is in no
feed, nor are the answers it was given, and its own feed is 404. An idea's feed is its
history as the history API shows it to a signed-out reader (a moderator's reason left
out). Answers speak for the administration, as on the idea's page: no member of staff
is named.
"""

from __future__ import annotations

import asyncpg

from ideabox.feeds.schemas import Entry, Feed, FeedLang, Kind
from ideabox.platform.db import Db
from ideabox.platform.errors import NotFound
from ideabox.platform.i18n import N_, gettext
from ideabox.platform.labels import STATUS, UNLISTED
from ideabox.responses.schemas import StatusChange
from ideabox.responses.service import TRIGGER as ANSWER
from ideabox.responses.service import idea_history

ENTRIES = 50
"""The most entries a purpose's feed holds."""

NOT_PUBLIC = list(UNLISTED)
"""Idea statuses no feed shows."""

ADMINISTRATION = N_("The administration")
APP = "ideabox"

_PURPOSE = "SELECT id, slug, title, created_at FROM purposes WHERE slug = $1"

_NEW_IDEAS = """
SELECT i.id, i.title, i.body_html, i.created_at, i.updated_at, u.display_name AS author
FROM ideas i JOIN users u ON u.id = i.author_id
WHERE i.purpose_id = $1 AND i.status <> ALL($2::text[]) AND i.created_at <= $3
ORDER BY i.created_at DESC, i.id DESC
LIMIT $4
"""

_ANSWERS = """
SELECT sc.id, sc.idea_id, sc.to_status, sc.created_at, sc.response_html, i.title
FROM idea_status_changes sc JOIN ideas i ON i.id = sc.idea_id
WHERE i.purpose_id = $1 AND i.status <> ALL($2::text[]) AND sc.created_at <= $3
  AND sc.trigger = $4 AND sc.response_html IS NOT NULL
ORDER BY sc.created_at DESC, sc.id DESC
LIMIT $5
"""

_IDEA = """
SELECT i.id, i.title, i.body_html, i.status, i.created_at, u.display_name AS author
FROM ideas i JOIN users u ON u.id = i.author_id
WHERE i.id = $1
"""


def _newest_first(entries: list[Entry]) -> list[Entry]:
    # Of one instant, an answer before an idea, and the later of two ideas or answers first.
    return sorted(entries, key=lambda e: (e.published, e.key.startswith("status-change"),
                                          e.sequence), reverse=True)


async def purpose_feed(db: Db, slug: str, lang: FeedLang, kind: Kind = "all") -> Feed:
    """A purpose's newest ideas and the administration's newest answers there (``kind``
    chooses one of them), at most ``ENTRIES``; 404 if there is no such purpose."""
    purpose = await db.conn.fetchrow(_PURPOSE, slug)
    if purpose is None:
        raise NotFound("purpose_not_found", slug=slug)
    entries: list[Entry] = []
    if kind in ("all", "ideas"):
        rows = await db.conn.fetch(_NEW_IDEAS, purpose["id"], NOT_PUBLIC, db.now, ENTRIES)
        entries += [_new_idea(row) for row in rows]
    if kind in ("all", "answers"):
        rows = await db.conn.fetch(_ANSWERS, purpose["id"], NOT_PUBLIC, db.now, ANSWER,
                                   ENTRIES)
        entries += [_answer(row, lang) for row in rows]
    titles = {"all": N_("%(purpose)s: new ideas and the administration's answers"),
              "ideas": N_("%(purpose)s: new ideas"),
              "answers": N_("%(purpose)s: the administration's answers")}
    return Feed(key=f"purpose/{purpose['id']}" + ("" if kind == "all" else f"/{kind}"),
                lang=lang, title=gettext(lang, titles[kind], purpose=purpose["title"]),
                page=f"/purposes/{purpose['slug']}", since=purpose["created_at"],
                entries=_newest_first(entries)[:ENTRIES])


def _new_idea(row: asyncpg.Record) -> Entry:
    return Entry(key=f"idea/{row['id']}", sequence=row["id"], title=row["title"],
                 author=row["author"],
                 published=row["created_at"], updated=max(row["updated_at"], row["created_at"]),
                 link=f"/ideas/{row['id']}", html=row["body_html"])


def _answer(row: asyncpg.Record, lang: FeedLang) -> Entry:
    return Entry(key=f"status-change/{row['id']}", sequence=row["id"],
                 title=gettext(lang, N_("The administration's answer: %(title)s"),
                               title=row["title"]),
                 author=gettext(lang, ADMINISTRATION), published=row["created_at"],
                 updated=row["created_at"], link=f"/ideas/{row['idea_id']}",
                 html=row["response_html"], status=row["to_status"],
                 status_label=gettext(lang, STATUS[row["to_status"]]))


async def idea_feed(db: Db, idea_id: int, lang: FeedLang) -> Feed:
    """An idea's public history, newest first (the history's order, reversed); 404 if
    there is no such idea or it is not public."""
    idea = await db.conn.fetchrow(_IDEA, idea_id)
    if idea is None or idea["status"] in NOT_PUBLIC:
        raise NotFound("idea_not_found", id=idea_id)
    history = await idea_history(db.conn, None, idea_id)
    entries = [_change(change, idea, lang) for change in history.items
               if change.created_at <= db.now]
    return Feed(key=f"idea/{idea_id}/history", lang=lang,
                title=gettext(lang, N_("%(idea)s: what happened"), idea=idea["title"]),
                page=f"/ideas/{idea_id}", since=idea["created_at"],
                entries=entries[::-1])


def _change(change: StatusChange, idea: asyncpg.Record, lang: FeedLang) -> Entry:
    status = gettext(lang, STATUS.get(change.to_status, change.to_status))
    html = None
    author = APP
    if change.trigger == "posted":
        title = gettext(lang, N_("Shared: %(title)s"), title=idea["title"])
        author, html = idea["author"], idea["body_html"]
    elif change.trigger == ANSWER:
        title = gettext(lang, N_("The administration's answer: %(title)s"), title=status)
        author, html = gettext(lang, ADMINISTRATION), change.response_html
    elif change.trigger == "moderation" and change.to_status != "hidden":
        title = gettext(lang, N_("Shown again by a moderator: %(status)s"), status=status)
    else:
        title = status
        if change.trigger.startswith("promotion"):
            author = gettext(lang, ADMINISTRATION)
    return Entry(key=f"status-change/{change.id}", sequence=change.id, title=title, author=author,
                 published=change.created_at, updated=change.created_at,
                 link=f"/ideas/{idea['id']}", html=html, status=change.to_status,
                 status_label=status)
