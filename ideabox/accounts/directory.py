"""The administration's list of people: find a user to change their role."""

from __future__ import annotations

import asyncpg
import msgspec

from ideabox.accounts.schemas import Me, Viewer
from ideabox.accounts.service import ME_COLUMNS
from ideabox.platform.errors import Forbidden, Invalid
from ideabox.platform.pagination import Page, RowId, decode_cursor, page_of


class _After(msgspec.Struct, forbid_unknown_fields=True):
    id: RowId


def contains_pattern(q: str | None) -> str | None:
    """An ILIKE pattern for text containing what was typed (the query parameter ``q``),
    or None if nothing was."""
    if not q or not q.strip():
        return None
    if "\x00" in q:
        # PostgreSQL text cannot hold NUL: refused here rather than failing as a 500 there.
        raise Invalid("q", "nul_characters", source="query")
    # Match the words literally: % and _ in what was typed are not wildcards.
    escaped = q.strip().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


async def search_users(conn: asyncpg.Connection, viewer: Viewer, q: str | None = None, *,
                       limit: int = 50, cursor: str | None = None) -> Page[Me]:
    """A page of accounts (admins only), oldest first, whose name or e-mail contains
    ``q``; deleted accounts are left out."""
    if not viewer.is_admin:
        raise Forbidden("admins_only_users")
    after = decode_cursor(cursor, _After)
    pattern = contains_pattern(q)
    rows = await conn.fetch(
        f"""
        SELECT {ME_COLUMNS} FROM users u
        WHERE u.deleted_at IS NULL
          AND ($1::text IS NULL OR u.display_name ILIKE $1 OR u.email ILIKE $1)
          AND ($2::bigint IS NULL OR u.id > $2)
        ORDER BY u.id LIMIT $3
        """, pattern, after.id if after else None, limit + 1)  # noqa: S608 - constant columns
    return page_of(rows, limit, lambda row: Me(**dict(row)), lambda last: _After(id=last.id))
