"""The administration's list of people: find a user to change their role."""

from __future__ import annotations

import asyncpg
import msgspec

from ideabox.accounts.schemas import Me, Viewer
from ideabox.platform.errors import Forbidden
from ideabox.platform.pagination import Page, RowId, decode_cursor, page_of


class _After(msgspec.Struct, forbid_unknown_fields=True):
    id: RowId


async def search_users(conn: asyncpg.Connection, viewer: Viewer, q: str | None = None, *,
                       limit: int = 50, cursor: str | None = None) -> Page[Me]:
    """A page of accounts (admins only), oldest first, whose name or e-mail contains
    ``q``; deleted accounts are left out."""
    if not viewer.is_admin:
        raise Forbidden("admins_only_users")
    after = decode_cursor(cursor, _After)
    pattern = None
    if q and q.strip():
        # Match the words literally: % and _ in what was typed are not wildcards.
        escaped = q.strip().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        pattern = f"%{escaped}%"
    rows = await conn.fetch(
        """
        SELECT id, display_name, role, email, created_at FROM users
        WHERE deleted_at IS NULL
          AND ($1::text IS NULL OR display_name ILIKE $1 OR email ILIKE $1)
          AND ($2::bigint IS NULL OR id > $2)
        ORDER BY id LIMIT $3
        """, pattern, after.id if after else None, limit + 1)
    return page_of(rows, limit, lambda row: Me(**dict(row)), lambda last: _After(id=last.id))
