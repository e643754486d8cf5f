"""Following a purpose: its new ideas are listed in one's weekly digest."""

from __future__ import annotations

import asyncpg
import msgspec

from ideabox.accounts.schemas import Viewer
from ideabox.platform.db import Db
from ideabox.platform.errors import NotFound


class PurposeFollowing(msgspec.Struct):
    slug: str
    following: bool


async def _purpose_id(conn: asyncpg.Connection, slug: str) -> int:
    purpose_id: int | None = await conn.fetchval("SELECT id FROM purposes WHERE slug = $1",
                                                 slug)
    if purpose_id is None:
        raise NotFound("purpose_not_found", slug=slug)
    return purpose_id


async def get_purpose_following(conn: asyncpg.Connection, viewer: Viewer,
                                slug: str) -> PurposeFollowing:
    """Whether the viewer follows a purpose."""
    purpose_id = await _purpose_id(conn, slug)
    following: bool = await conn.fetchval(
        "SELECT EXISTS (SELECT 1 FROM purpose_follows WHERE user_id = $1 AND purpose_id = $2)",
        viewer.id, purpose_id)
    return PurposeFollowing(slug=slug, following=following)


async def follow_purpose(db: Db, viewer: Viewer, slug: str) -> PurposeFollowing:
    """Follow a purpose (idempotent): its new ideas come in the weekly digest."""
    purpose_id = await _purpose_id(db.conn, slug)
    await db.conn.execute("INSERT INTO purpose_follows (user_id, purpose_id, created_at) "
                          "VALUES ($1, $2, $3) ON CONFLICT DO NOTHING",
                          viewer.id, purpose_id, db.now)
    return PurposeFollowing(slug=slug, following=True)


async def unfollow_purpose(db: Db, viewer: Viewer, slug: str) -> PurposeFollowing:
    """Stop following a purpose (idempotent)."""
    purpose_id = await _purpose_id(db.conn, slug)
    await db.conn.execute("DELETE FROM purpose_follows WHERE user_id = $1 AND purpose_id = $2",
                          viewer.id, purpose_id)
    return PurposeFollowing(slug=slug, following=False)
