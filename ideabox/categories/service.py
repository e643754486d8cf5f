"""Categories: the administration keeps a purpose's list; ideas choose from it.

A category that ideas use is retired rather than deleted: it stops being offered, and
the ideas posted under it keep it (the foreign key refuses a delete that would take it
from them).
"""

from __future__ import annotations

import re
from typing import Any

import asyncpg
import msgspec

from ideabox.accounts.schemas import Viewer
from ideabox.categories.schemas import Category, CategoryCreate, CategoryUpdate
from ideabox.ideas.cache import IdeaCache
from ideabox.platform.db import Db
from ideabox.platform.errors import Conflict, Forbidden, Invalid, NotFound
from ideabox.platform.validation import trimmed
from ideabox.purposes.schemas import SLUG_PATTERN
from ideabox.purposes.service import purpose_id as purpose_id_of

_SLUG = re.compile(SLUG_PATTERN)
NAME_LIMITS = (1, 80)
DEPARTMENT_LIMIT = 120

_COLUMNS = """
    c.id, p.slug AS purpose, c.slug, c.name_da, c.name_en, c.department, c.position,
    c.retired_at IS NOT NULL AS retired, c.retired_at, c.created_at,
    -- Only what everybody may see is counted: the number is shown to everybody.
    (SELECT count(*) FROM ideas i
     WHERE i.category_id = c.id
       AND i.status NOT IN ('hidden', 'withdrawn', 'pending_review'))::int AS idea_count
FROM categories c JOIN purposes p ON p.id = c.purpose_id
"""


def is_slug(value: str) -> bool:
    """Whether ``value`` could be a category's slug at all (anything else, a NUL byte
    included, names no category and is not worth asking PostgreSQL about)."""
    return len(value) <= 60 and _SLUG.match(value) is not None


def ensure_may_manage(viewer: Viewer) -> None:
    """Categories are kept by the administration: staff and administrators."""
    if not viewer.is_staff:
        raise Forbidden("staff_only_categories")


async def list_categories(conn: asyncpg.Connection, slug: str, *,
                          include_retired: bool = False) -> list[Category]:
    """A purpose's categories in their order (retired ones only when asked for)."""
    return await categories_of(conn, await purpose_id_of(conn, slug),
                               include_retired=include_retired)


async def categories_of(conn: asyncpg.Connection, purpose_id: int, *,
                        include_retired: bool = False) -> list[Category]:
    """``list_categories`` for a purpose already in hand."""
    rows = await conn.fetch(
        f"SELECT {_COLUMNS} WHERE c.purpose_id = $1 "
        "AND ($2 OR c.retired_at IS NULL) ORDER BY c.position, c.id", purpose_id,
        include_retired)
    return [Category(**dict(row)) for row in rows]


async def get_category(conn: asyncpg.Connection, slug: str, category: str) -> Category:
    """One category of a purpose, retired or not; 404 if the purpose has none by that slug."""
    if not is_slug(category):
        raise NotFound("category_not_found", slug=category[:60])
    row = await conn.fetchrow(
        f"SELECT {_COLUMNS} WHERE p.slug = $1 AND c.slug = $2",
        slug, category)
    if row is None:
        raise NotFound("category_not_found", slug=category)
    return Category(**dict(row))


def _department(value: str) -> str | None:
    """An empty department means nobody in particular."""
    text = value.strip()
    return trimmed(text, "department", 1, DEPARTMENT_LIMIT) if text else None


async def create_category(db: Db, viewer: Viewer, slug: str, data: CategoryCreate) -> Category:
    """Add a category to a purpose (staff and admins); 409 if its slug is taken there."""
    ensure_may_manage(viewer)
    purpose_id = await purpose_id_of(db.conn, slug)
    name_da = trimmed(data.name_da, "name_da", *NAME_LIMITS)
    name_en = trimmed(data.name_en, "name_en", *NAME_LIMITS)
    department = _department(data.department)
    position = data.position
    if position is msgspec.UNSET:
        # After the others: a new category goes to the end of the list.
        position = await db.conn.fetchval(
            "SELECT coalesce(max(position) + 1, 0) FROM categories WHERE purpose_id = $1",
            purpose_id)
        position = min(position, 10_000)
    try:
        await db.conn.execute(
            """
            INSERT INTO categories (purpose_id, slug, name_da, name_en, department, position,
                                    created_at)
            VALUES ($1, $2, $3, $4, $5, $6, $7)
            """,
            purpose_id, data.slug, name_da, name_en, department, position, db.now)
    except asyncpg.UniqueViolationError:
        raise Conflict("category_slug_taken", field="slug", slug=data.slug) from None
    return await get_category(db.conn, slug, data.slug)


async def _for_change(conn: asyncpg.Connection, slug: str, category: str) -> int:
    if not is_slug(category):
        raise NotFound("category_not_found", slug=category[:60])
    category_id: int | None = await conn.fetchval(
        "SELECT c.id FROM categories c JOIN purposes p ON p.id = c.purpose_id "
        "WHERE p.slug = $1 AND c.slug = $2 FOR UPDATE OF c", slug, category)
    if category_id is None:
        raise NotFound("category_not_found", slug=category)
    return category_id


async def update_category(db: Db, viewer: Viewer, slug: str, category: str,
                          data: CategoryUpdate, *, ideas: IdeaCache) -> Category:
    """Rename, reorder, retire or bring back a category (staff and admins). Its ideas'
    cached copies are dropped, since they carry its name."""
    ensure_may_manage(viewer)
    category_id = await _for_change(db.conn, slug, category)
    changes: dict[str, Any] = {}
    if isinstance(data.name_da, str):
        changes["name_da"] = trimmed(data.name_da, "name_da", *NAME_LIMITS)
    if isinstance(data.name_en, str):
        changes["name_en"] = trimmed(data.name_en, "name_en", *NAME_LIMITS)
    if isinstance(data.department, str):
        changes["department"] = _department(data.department)
    if isinstance(data.position, int):
        changes["position"] = data.position
    if isinstance(data.retired, bool):
        # Retiring a retired category keeps the moment it was first retired.
        changes["retired_at"] = None if not data.retired else await db.conn.fetchval(
            "SELECT coalesce(retired_at, $2) FROM categories WHERE id = $1", category_id,
            db.now)
    if changes:
        assignments = ", ".join(f"{name} = ${i}" for i, name in enumerate(changes, start=2))
        # Columns are CategoryUpdate's own field names; values go as $n.
        await db.conn.execute(f"UPDATE categories SET {assignments} "  # noqa: S608
                              "WHERE id = $1", category_id, *changes.values())
        rows = await db.conn.fetch("SELECT id FROM ideas WHERE category_id = $1", category_id)
        ideas.changed(db, [row["id"] for row in rows])
    return await get_category(db.conn, slug, category)


async def delete_category(db: Db, viewer: Viewer, slug: str, category: str) -> None:
    """Delete a category no idea uses (staff and admins); 409 if ideas use it: retire it
    instead, so that they keep it."""
    ensure_may_manage(viewer)
    category_id = await _for_change(db.conn, slug, category)
    used = await db.conn.fetchval("SELECT EXISTS (SELECT 1 FROM ideas WHERE category_id = $1)",
                                  category_id)
    if used:
        raise Conflict("category_in_use", slug=category)
    await db.conn.execute("DELETE FROM categories WHERE id = $1", category_id)


async def category_for_idea(conn: asyncpg.Connection, purpose_id: int, choice: str | None,
                            *, current: int | None = None) -> int | None:
    """The id of the category an idea of this purpose chose (None or "": none). Only the
    purpose's own categories may be chosen, and not a retired one — unless it is the
    idea's category already (an edit that keeps it)."""
    if choice is None or not choice.strip():
        return None
    row = None
    if is_slug(choice.strip()):
        row = await conn.fetchrow(
            "SELECT id, retired_at IS NOT NULL AS retired FROM categories "
            "WHERE purpose_id = $1 AND slug = $2", purpose_id, choice.strip())
    if row is None:
        raise Invalid("category", "category_unknown", slug=choice.strip()[:60])
    if row["retired"] and row["id"] != current:
        raise Invalid("category", "category_retired", slug=choice.strip())
    category_id: int = row["id"]
    return category_id
