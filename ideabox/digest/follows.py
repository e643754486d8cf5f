"""Following a purpose: its new ideas are listed in one's weekly digest."""

from __future__ import annotations

import asyncpg
import msgspec

from ideabox.accounts.schemas import Viewer
from ideabox.platform.db import Db
from ideabox.purposes.service import purpose_id as purpose_id_of


class PurposeFollowing(msgspec.Struct):
    slug: str
    following: bool


async def get_purpose_following(conn: asyncpg.Connection, viewer: Viewer,
                                slug: str) -> PurposeFollowing:
    """Whether the viewer follows a purpose."""
    return PurposeFollowing(slug=slug, following=await follows(
        conn, viewer, await purpose_id_of(conn, slug)))


async def follows(conn: asyncpg.Connection, viewer: Viewer, purpose_id: int) -> bool:
    """Whether the viewer follows the purpose ``purpose_id``."""
    found: bool = await conn.fetchval(
        "SELECT EXISTS (SELECT 1 FROM purpose_follows WHERE user_id = $1 AND purpose_id = $2)",
        viewer.id, purpose_id)
    return found


async def follow_purpose(db: Db, viewer: Viewer, slug: str) -> PurposeFollowing:
    """Follow a purpose (idempotent): its new ideas come in the weekly digest."""
    purpose_id = await purpose_id_of(db.conn, slug)
    await db.conn.execute("INSERT INTO purpose_follows (user_id, purpose_id, created_at) "
                          "VALUES ($1, $2, $3) ON CONFLICT DO NOTHING",
                          viewer.id, purpose_id, db.now)
    return PurposeFollowing(slug=slug, following=True)


async def unfollow_purpose(db: Db, viewer: Viewer, slug: str) -> PurposeFollowing:
    """Stop following a purpose (idempotent)."""
    purpose_id = await purpose_id_of(db.conn, slug)
    await db.conn.execute("DELETE FROM purpose_follows WHERE user_id = $1 AND purpose_id = $2",
                          viewer.id, purpose_id)
    return PurposeFollowing(slug=slug, following=False)
