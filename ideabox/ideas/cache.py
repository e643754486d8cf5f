"""An idea as most requests read it, cached in Redis beside its tally.

Reading an idea is the commonest request. Its text, author, status and comment count
change seldom; its tally changes often but already lives in Redis. So the rest is kept
there too, as a compact *document* in the idea's tally hash, and an anonymous reader's
request is answered from Redis alone.

This module owns that document: how it is read, made and stored, and the one way it
is made stale. After every change to an idea — an edit, a status change, a promotion,
an answer, a comment, its author's new name, role or deleted account, its purpose's
answer deadline — the change's transaction has ``IdeaCache.changed`` run after its
commit: the idea's counts and visibility are copied from PostgreSQL and its document
is dropped (its version moves on). A reader stores the document it read from
PostgreSQL only if the version is still the one it saw before reading, so a change
committed meanwhile is never overwritten by older text. As a net under anything
missed, a document is trusted for ``DOCUMENT_SECONDS`` at most.
"""

from __future__ import annotations

import contextlib
import time
from collections import defaultdict
from collections.abc import Iterable, Sequence
from datetime import datetime

import asyncpg
import msgspec

from ideabox.accounts.schemas import Role
from ideabox.categories.schemas import IdeaCategory
from ideabox.ideas.schemas import Status
from ideabox.pictures.schemas import PictureDoc, decode_document_pictures
from ideabox.platform.cache import CacheUnavailable
from ideabox.platform.db import Db
from ideabox.votes.counts import idea_counts
from ideabox.votes.reading import IdeaRef, read_tallies
from ideabox.votes.tallies import Entry, Tallies, Tally

DOCUMENT_SECONDS = 600

# What the document is made from; every column it holds, nothing per-reader.
SELECT = """
SELECT i.id, i.purpose_id, p.slug AS purpose, p.timezone, i.title, i.body, i.body_html,
       i.author_id, u.display_name AS author_name, u.role AS author_role,
       i.status, i.created_at, i.updated_at, i.assisted_by IS NOT NULL AS assisted,
       (SELECT count(*) FROM comments c
        WHERE c.idea_id = i.id AND c.deleted_at IS NULL) AS comment_count,
       (SELECT to_char(pr.month, 'YYYY-MM') FROM promotions pr WHERE pr.idea_id = i.id)
           AS promoted_month,
       p.answer_within_days,
       (SELECT min(sc.created_at) FROM idea_status_changes sc
        WHERE sc.idea_id = i.id AND sc.to_status = 'promoted') AS promoted_at,
       (SELECT min(sc.created_at) FROM idea_status_changes sc
        WHERE sc.idea_id = i.id AND sc.trigger = 'response') AS answered_at,
       c.id AS category_id, c.slug AS category_slug, c.name_da AS category_name_da,
       c.name_en AS category_name_en, c.retired_at IS NOT NULL AS category_retired,
       -- Its pictures (ideabox.pictures.schemas.PictureDoc), without their bytes.
       (SELECT coalesce(json_agg(json_build_array(
                   ip.id, ip.alt, ip.content_type, ip.width, ip.height, ip.display_sha256,
                   ip.thumb_width, ip.thumb_height, ip.thumbnail_sha256)
                   ORDER BY ip.position), '[]')
        FROM idea_pictures ip WHERE ip.idea_id = i.id) AS pictures
FROM ideas i
JOIN purposes p ON p.id = i.purpose_id
JOIN users u ON u.id = i.author_id
LEFT JOIN categories c ON c.id = i.category_id
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
    # No default: a document an older ideabox wrote (during a rolling upgrade) fails to
    # decode and is read afresh, rather than being taken for an unassisted idea.
    assisted: bool
    # The answer deadline's parts (``ideabox.ideas.deadline``): whether it has passed
    # depends on the time of reading, so that is worked out when the idea is read. A
    # purpose's changed deadline drops its promoted ideas' documents.
    answer_within_days: int
    promoted_at: datetime | None
    answered_at: datetime | None
    # Its category's names: a renamed or retired category drops its ideas' documents.
    category: IdeaCategory | None
    # Its pictures' sizes and digests (ideabox.pictures), in their order; never the bytes.
    pictures: tuple[PictureDoc, ...]


_CATEGORY_COLUMNS = ("category_id", "category_slug", "category_name_da", "category_name_en",
                     "category_retired")
_encoder = msgspec.msgpack.Encoder()
_decoder = msgspec.msgpack.Decoder(IdeaDocument)


def from_row(row: asyncpg.Record) -> IdeaDocument:
    fields = dict(row)
    category_id, slug, name_da, name_en, retired = (fields.pop(c) for c in _CATEGORY_COLUMNS)
    category = (None if category_id is None else
                IdeaCategory(id=category_id, slug=slug, name_da=name_da, name_en=name_en,
                             retired=retired))
    fields["pictures"] = decode_document_pictures(fields["pictures"])
    return IdeaDocument(**fields, category=category)


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


# An idea never moves to another purpose, so a worker may remember which purpose each
# idea belongs to (the Redis key needs it) for as long as it likes; up to this many.
PURPOSES_REMEMBERED = 1_000_000


class Found:
    """Ideas read so far (document and tally), and what Redis held of the others."""

    def __init__(self, *, cache_usable: bool = True) -> None:
        self.ideas: dict[int, tuple[IdeaDocument, Tally]] = {}
        self.entries: dict[int, Entry] = {}  # cached tally, but no document to trust
        self.cache_usable = cache_usable

    def version(self, idea_id: int) -> int:
        entry = self.entries.get(idea_id)
        return entry.version if entry is not None else 0


class IdeaCache:
    """The ideas' cached documents, over the tallies' Redis hashes, and the purposes of
    the ideas this worker has met."""

    def __init__(self, tallies: Tallies) -> None:
        self.tallies = tallies
        self._purpose_of: dict[int, int] = {}

    def _remember(self, idea_id: int, purpose_id: int) -> None:
        if len(self._purpose_of) >= PURPOSES_REMEMBERED:
            self._purpose_of.clear()
        self._purpose_of[idea_id] = purpose_id

    def known_purpose(self, idea_id: int) -> int | None:
        return self._purpose_of.get(idea_id)

    async def learn_purposes(self, pool: asyncpg.Pool) -> None:
        """At a worker's start: learn every idea's purpose at once (newest first), so that
        the first read of each idea can already be answered from Redis."""
        async with pool.acquire() as conn:
            rows = await conn.fetch("SELECT id, purpose_id FROM ideas ORDER BY id DESC "
                                    "LIMIT $1", PURPOSES_REMEMBERED)
        for row in rows:
            self._purpose_of.setdefault(row["id"], row["purpose_id"])

    async def read(self, idea_ids: Sequence[int]) -> Found:
        """What Redis holds of these ideas: documents still to be trusted, with their
        tallies; tallies alone where there is no such document."""
        found = Found()
        known = [(purpose_id, i) for i in idea_ids
                 if (purpose_id := self.known_purpose(i)) is not None]
        try:
            entries = await self.tallies.read_entries(known)
        except CacheUnavailable:
            found.cache_usable = False
            return found
        now = time.time()
        for (_, idea_id), entry in zip(known, entries, strict=True):
            if entry is None:
                continue
            doc = cached(entry, now)
            if doc is not None:
                found.ideas[idea_id] = (doc, entry.tally(self.tallies.month(doc.timezone)))
            else:
                found.entries[idea_id] = entry
        return found

    async def read_missing(self, conn: asyncpg.Connection, idea_ids: list[int],
                           found: Found) -> None:
        """Read ideas Redis could not give from PostgreSQL into ``found``, and (unless
        ``found`` says the cache is not to be used) store their documents."""
        rows = await conn.fetch(SELECT + "WHERE i.id = ANY($1::bigint[])", idea_ids)
        docs = [from_row(row) for row in rows]
        tallies = self.tallies
        # Tallies Redis gave with the entries already; ask only for the others.
        counted = {d.id: entry.tally(tallies.month(d.timezone))
                   for d in docs if (entry := found.entries.get(d.id)) is not None}
        counted |= await read_tallies(conn, tallies, [
            IdeaRef(d.id, d.purpose_id, tallies.month(d.timezone))
            for d in docs if d.id not in counted])
        fills: dict[int, list[tuple[int, bytes, int]]] = defaultdict(list)
        for doc in docs:
            self._remember(doc.id, doc.purpose_id)
            found.ideas[doc.id] = (doc, counted.get(doc.id, Tally(0, 0)))
            fills[doc.purpose_id].append((doc.id, encode(doc), found.version(doc.id)))
        if found.cache_usable:
            for purpose_id, batch in fills.items():
                with contextlib.suppress(CacheUnavailable):
                    await tallies.fill_documents(purpose_id, batch)

    def changed(self, db: Db, idea_ids: Iterable[int]) -> None:
        """After ``db`` commits, make the cached copies of these ideas right: their counts
        and visibility from PostgreSQL (a withdrawn or hidden idea leaves the
        leaderboards), their documents dropped. A failure is recorded by the cache (it
        will be rebuilt), so it never fails the request."""
        ids = sorted(set(idea_ids))
        if ids:
            db.after_commit(lambda: self.refresh(db.conn, ids))

    def author_changed(self, db: Db, author_id: int) -> None:
        """After ``db`` commits, drop the cached documents of an author's ideas (their
        name or role changed, or they deleted their account)."""

        async def refresh() -> None:
            rows = await db.conn.fetch("SELECT id FROM ideas WHERE author_id = $1", author_id)
            await self.refresh(db.conn, [row["id"] for row in rows])

        db.after_commit(refresh)

    async def refresh(self, conn: asyncpg.Connection, idea_ids: list[int]) -> None:
        """Make the cached copies of these ideas right now (``changed`` does it after a
        commit): counts and visibility from PostgreSQL, documents dropped."""
        rows = await conn.fetch(
            "SELECT i.id, i.purpose_id, p.timezone FROM ideas i "
            "JOIN purposes p ON p.id = i.purpose_id WHERE i.id = ANY($1::bigint[])", idea_ids)
        counts = await idea_counts(conn, idea_ids)
        by_purpose: dict[tuple[int, str], list[int]] = defaultdict(list)
        for row in rows:
            self._remember(row["id"], row["purpose_id"])
            by_purpose[(row["purpose_id"], row["timezone"])].append(row["id"])
        for (purpose_id, tz), ids in by_purpose.items():
            with contextlib.suppress(CacheUnavailable):
                await self.tallies.put_many(purpose_id, [counts[i] for i in ids],
                                            self.tallies.month(tz), changed=True)
