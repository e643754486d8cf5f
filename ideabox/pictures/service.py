"""Adding, removing and reading an idea's pictures."""

from __future__ import annotations

from typing import NamedTuple

import asyncpg

from ideabox.accounts.schemas import Viewer
from ideabox.ideas.service import may_see
from ideabox.pictures import imaging
from ideabox.pictures.schemas import (
    ALT_LIMITS,
    Picture,
    PictureDoc,
    may_see_pictures,
    picture_of,
)
from ideabox.platform.db import Db
from ideabox.platform.errors import Conflict, Forbidden, Invalid, NotFound
from ideabox.platform.validation import trimmed
from ideabox.services import Services

MAX_PER_IDEA = 3
# While the author may still change the idea, they may change its pictures (as its text).
CHANGEABLE = ("open", "pending_review")


def checked_alt(alt: str | None) -> str:
    """The alternative text, required: one line, 1 to 250 characters."""
    if alt is None or not alt.strip():
        raise Invalid("alt", "blank")
    return trimmed(alt, "alt", *ALT_LIMITS)


_IDEA = "SELECT id, author_id, status FROM ideas WHERE id = $1"
_IDEA_LOCKED = _IDEA + " FOR NO KEY UPDATE"


async def _idea_for_pictures(conn: asyncpg.Connection, viewer: Viewer, idea_id: int, *,
                             lock: bool = False) -> asyncpg.Record:
    # NO KEY UPDATE: votes and comments on the idea (whose foreign keys take KEY SHARE)
    # go on while a picture is added.
    row = await conn.fetchrow(_IDEA_LOCKED if lock else _IDEA, idea_id)
    if row is None or not may_see(viewer, row["status"], row["author_id"]):
        raise NotFound("idea_not_found", id=idea_id)
    return row


def _ensure_author_may_add(viewer: Viewer, idea: asyncpg.Record) -> None:
    if idea["author_id"] != viewer.id:
        raise Forbidden("author_adds_pictures")
    if idea["status"] not in CHANGEABLE:
        raise Conflict("pictures_only_open")


async def add_picture(db: Db, services: Services, viewer: Viewer, idea_id: int,
                      data: bytes | None, alt: str | None) -> Picture:
    """Add a picture to an idea (its author, while the idea is open or awaiting review):
    decoded, re-encoded without metadata in two sizes, and kept; at most three."""
    _ensure_author_may_add(viewer, await _idea_for_pictures(db.conn, viewer, idea_id))
    if data is None:
        raise Invalid("picture", "blank")
    text = checked_alt(alt)
    # Refused before the work of decoding when the idea has its three already.
    await _ensure_room(db.conn, idea_id)
    encoded = await imaging.encode_upload(data)
    # Checked again under the lock: the idea may have changed, or another upload taken
    # the last place, while this one was decoded.
    _ensure_author_may_add(viewer, await _idea_for_pictures(db.conn, viewer, idea_id,
                                                            lock=True))
    position = await _ensure_room(db.conn, idea_id)
    row = await db.conn.fetchrow(
        """
        INSERT INTO idea_pictures (idea_id, position, alt, uploaded_by, source_format,
            source_bytes, content_type, width, height, display, display_sha256,
            thumb_width, thumb_height, thumbnail, thumbnail_sha256, created_at)
        VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16)
        RETURNING id, alt, content_type, width, height, display_sha256, thumb_width,
                  thumb_height, thumbnail_sha256
        """,
        idea_id, position, text, viewer.id, encoded.source_format, encoded.source_bytes,
        encoded.content_type, encoded.display.width, encoded.display.height,
        encoded.display.data, encoded.display.sha256, encoded.thumbnail.width,
        encoded.thumbnail.height, encoded.thumbnail.data, encoded.thumbnail.sha256, db.now)
    services.ideas.changed(db, [idea_id])
    return picture_of(PictureDoc(**dict(row)))


async def _ensure_room(conn: asyncpg.Connection, idea_id: int) -> int:
    """The first free place for a picture of the idea; 409 when it has three."""
    position: int | None = await conn.fetchval(
        "SELECT p FROM generate_series(1, $2::int) AS p WHERE p NOT IN "
        "(SELECT position FROM idea_pictures WHERE idea_id = $1) ORDER BY p LIMIT 1",
        idea_id, MAX_PER_IDEA)
    if position is None:
        raise Conflict("pictures_full", field="picture", n=MAX_PER_IDEA)
    return position


async def delete_picture(db: Db, services: Services, viewer: Viewer, idea_id: int,
                         picture_id: int) -> None:
    """Remove a picture: its idea's author (whatever the idea's status, so a picture can
    always be taken back), or a moderator."""
    idea = await _idea_for_pictures(db.conn, viewer, idea_id)
    if not (idea["author_id"] == viewer.id or viewer.is_moderator):
        raise Forbidden("author_or_moderator_removes_pictures")
    if not may_see_pictures(viewer, idea["status"], idea["author_id"]):
        raise NotFound("picture_not_found", id=picture_id)
    deleted = await db.conn.fetchval(
        "DELETE FROM idea_pictures WHERE id = $1 AND idea_id = $2 RETURNING id",
        picture_id, idea_id)
    if deleted is None:
        raise NotFound("picture_not_found", id=picture_id)
    services.ideas.changed(db, [idea_id])


class Stored(NamedTuple):
    """One size of a picture, as it is served, with what decides who may see it."""

    data: bytes
    content_type: str
    sha256: str
    idea_status: str
    author_id: int

    @property
    def public(self) -> bool:
        """Whether anybody may see it (and a shared cache keep it)."""
        return may_see_pictures(None, self.idea_status, self.author_id)

    def readable_by(self, viewer: Viewer | None) -> bool:
        return may_see_pictures(viewer, self.idea_status, self.author_id)


async def find_picture(conn: asyncpg.Connection, picture_id: int,
                       digest: str) -> Stored | None:
    """The size of a picture whose bytes have ``digest``, or None. Whether the reader
    may see it is for ``Stored.readable_by``."""
    row = await conn.fetchrow(
        """
        SELECT CASE WHEN ip.display_sha256 = $2 THEN ip.display ELSE ip.thumbnail END
                   AS data,
               ip.content_type, i.status, i.author_id
        FROM idea_pictures ip JOIN ideas i ON i.id = ip.idea_id
        WHERE ip.id = $1 AND $2 IN (ip.display_sha256, ip.thumbnail_sha256)
        """, picture_id, digest)
    if row is None:
        return None
    return Stored(row["data"], row["content_type"], digest, row["status"], row["author_id"])
