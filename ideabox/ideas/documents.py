"""An idea as most requests read it, cached in Redis beside its tally.

Reading an idea is the commonest request. Its text, author, status and comment count
change seldom; its tally changes often but already lives in Redis. So the rest is kept
there too, as a compact *document* in the idea's tally hash, and an anonymous reader's
request is answered from Redis alone.

The document is dropped (and its version moved on) after every change to the idea:
edits, status changes, promotions, answers, comments, its author's name or role — each
through ``refresh_cached_idea``, ``forget_document`` or ``forget_author_documents``.
A reader stores the document it read from PostgreSQL only if the version is still the
one it saw before reading, so a change committed meanwhile is never overwritten by
older text. As a net under anything missed, a document is trusted for
``DOCUMENT_SECONDS`` at most.
"""

from __future__ import annotations

import contextlib
import time
from datetime import datetime

import asyncpg
import msgspec
from litestar.datastructures import State

from ideabox.accounts.schemas import Role
from ideabox.cache import CacheUnavailable
from ideabox.ideas.schemas import Status
from ideabox.votes.tallies import Entry, Tallies

DOCUMENT_SECONDS = 600

# What the document is made from; every column it holds, nothing per-reader.
SELECT = """
SELECT i.id, i.purpose_id, p.slug AS purpose, p.timezone, i.title, i.body, i.body_html,
       i.author_id, u.display_name AS author_name, u.role AS author_role,
       i.status, i.created_at, i.updated_at,
       (SELECT count(*) FROM comments c
        WHERE c.idea_id = i.id AND c.deleted_at IS NULL) AS comment_count,
       (SELECT to_char(pr.month, 'YYYY-MM') FROM promotions pr WHERE pr.idea_id = i.id)
           AS promoted_month
FROM ideas i
JOIN purposes p ON p.id = i.purpose_id
JOIN users u ON u.id = i.author_id
"""


class IdeaDocument(msgspec.Struct, frozen=True, array_like=True):
    id: int
    purpose_id: int
    purpose: str
    timezone: str
    title: str
    body: str
    body_html: str
    author_id: int
    author_name: str
    author_role: Role
    status: Status
    created_at: datetime
    updated_at: datetime
    comment_count: int
    promoted_month: str | None


_encoder = msgspec.msgpack.Encoder()
_decoder = msgspec.msgpack.Decoder(IdeaDocument)


def from_row(row: asyncpg.Record) -> IdeaDocument:
    return IdeaDocument(**dict(row))


def encode(document: IdeaDocument) -> bytes:
    return _encoder.encode(document)


def cached(entry: Entry, now: float | None = None) -> IdeaDocument | None:
    """The entry's document, if it has one still to be trusted."""
    if entry.doc is None or entry.doc_at is None:
        return None
    if int(entry.doc_at) + DOCUMENT_SECONDS < (now or time.time()):
        return None
    try:
        return _decoder.decode(entry.doc)
    except (msgspec.DecodeError, msgspec.ValidationError):
        return None  # written by another version of ideabox: read it afresh


# An idea never moves to another purpose, so every worker may remember which purpose
# each idea belongs to (the Redis key needs it) for as long as it likes.
_PURPOSES_REMEMBERED = 1_000_000
_purpose_of: dict[int, int] = {}


def remember_purpose(idea_id: int, purpose_id: int) -> None:
    if len(_purpose_of) >= _PURPOSES_REMEMBERED:
        _purpose_of.clear()
    _purpose_of[idea_id] = purpose_id


def known_purpose(idea_id: int) -> int | None:
    return _purpose_of.get(idea_id)


async def learn_purposes(state: State) -> None:
    """Background task at a worker's start: learn every idea's purpose at once (newest
    first), so that the first read of each idea can already be answered from Redis."""
    await state.schema_ready.wait()
    async with state.pool.acquire() as conn:
        rows = await conn.fetch("SELECT id, purpose_id FROM ideas ORDER BY id DESC LIMIT $1",
                                _PURPOSES_REMEMBERED)
    for row in rows:
        _purpose_of.setdefault(row["id"], row["purpose_id"])


async def forget_document(conn: asyncpg.Connection, tallies: Tallies, idea_id: int) -> None:
    """After a change to what an idea's document holds but not to its counts (an edit, a
    comment): drop the document. A failure is recorded by the cache; it never fails a
    request."""
    purpose_id = known_purpose(idea_id) or await conn.fetchval(
        "SELECT purpose_id FROM ideas WHERE id = $1", idea_id)
    if purpose_id is not None:
        with contextlib.suppress(CacheUnavailable):
            await tallies.forget_documents(purpose_id, [idea_id])


async def forget_author_documents(conn: asyncpg.Connection, tallies: Tallies,
                                  author_id: int) -> None:
    """After an author's name or role changed: drop the cached documents of their ideas.
    A failure is recorded by the cache (it will be rebuilt); it never fails a request."""
    rows = await conn.fetch("SELECT id, purpose_id FROM ideas WHERE author_id = $1", author_id)
    by_purpose: dict[int, list[int]] = {}
    for row in rows:
        by_purpose.setdefault(row["purpose_id"], []).append(row["id"])
    for purpose_id, idea_ids in by_purpose.items():
        with contextlib.suppress(CacheUnavailable):
            await tallies.forget_documents(purpose_id, idea_ids)
