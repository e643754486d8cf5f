"""A person's own ideas, votes and follows, a page at a time, newest first, for "my page".

Each list pages by key (when, then id), so an item added while someone pages is never
shown twice nor skipped. An idea hidden by a moderator is left out of one's votes and
follows, as everywhere else, unless one wrote it or moderates.
"""

from __future__ import annotations

from datetime import datetime
from typing import TypeVar

import asyncpg
import msgspec

from ideabox.accounts.schemas import Viewer
from ideabox.ideas.schemas import Status
from ideabox.platform.pagination import Moment, Page, RowId, decode_cursor, page_of


class MyIdea(msgspec.Struct):
    id: int
    title: str
    status: Status
    created_at: datetime


class MyVote(msgspec.Struct):
    idea_id: int
    idea_title: str
    status: Status
    created_at: datetime


class MyFollow(msgspec.Struct):
    idea_id: int
    idea_title: str
    status: Status
    created_at: datetime


T = TypeVar("T", MyIdea, MyVote, MyFollow)


class _Before(msgspec.Struct, forbid_unknown_fields=True):
    created_at: Moment
    id: RowId


_VISIBLE = "(i.status NOT IN ('hidden', 'pending_review') OR i.author_id = $1 OR $2)"
_AFTER = "($3::timestamptz IS NULL OR ({when}, {key}) < ($3, $4))"

_IDEAS = f"""
SELECT i.id, i.title, i.status, i.created_at FROM ideas i
WHERE i.author_id = $1 AND {_VISIBLE} AND {_AFTER.format(when="i.created_at", key="i.id")}
ORDER BY i.created_at DESC, i.id DESC LIMIT $5
"""  # noqa: S608 - a constant spliced in; values go as $n

_VOTES = f"""
SELECT v.idea_id, i.title AS idea_title, i.status, v.created_at
FROM votes v JOIN ideas i ON i.id = v.idea_id
WHERE v.voter_id = $1 AND {_VISIBLE} AND {_AFTER.format(when="v.created_at", key="v.idea_id")}
ORDER BY v.created_at DESC, v.idea_id DESC LIMIT $5
"""  # noqa: S608 - a constant spliced in; values go as $n

_FOLLOWS = f"""
SELECT f.idea_id, i.title AS idea_title, i.status, f.created_at
FROM follows f JOIN ideas i ON i.id = f.idea_id
WHERE f.user_id = $1 AND {_VISIBLE} AND {_AFTER.format(when="f.created_at", key="f.idea_id")}
ORDER BY f.created_at DESC, f.idea_id DESC LIMIT $5
"""  # noqa: S608 - a constant spliced in; values go as $n


async def _page(conn: asyncpg.Connection, sql: str, kind: type[T], key: str, viewer: Viewer,
                limit: int, cursor: str | None) -> Page[T]:
    before = decode_cursor(cursor, _Before)
    rows = await conn.fetch(sql, viewer.id, viewer.is_moderator,
                            before.created_at if before else None,
                            before.id if before else None, limit + 1)
    return page_of(rows, limit, lambda row: kind(**dict(row)),
                   lambda last: _Before(created_at=last.created_at, id=getattr(last, key)))


async def my_ideas(conn: asyncpg.Connection, viewer: Viewer, *, limit: int,
                   cursor: str | None = None) -> Page[MyIdea]:
    """The ideas the viewer posted, newest first (hidden and withdrawn ones too)."""
    return await _page(conn, _IDEAS, MyIdea, "id", viewer, limit, cursor)


async def my_votes(conn: asyncpg.Connection, viewer: Viewer, *, limit: int,
                   cursor: str | None = None) -> Page[MyVote]:
    """The ideas the viewer voted for, the latest vote first."""
    return await _page(conn, _VOTES, MyVote, "idea_id", viewer, limit, cursor)


async def my_follows(conn: asyncpg.Connection, viewer: Viewer, *, limit: int,
                     cursor: str | None = None) -> Page[MyFollow]:
    """The ideas the viewer follows, the latest followed first."""
    return await _page(conn, _FOLLOWS, MyFollow, "idea_id", viewer, limit, cursor)
