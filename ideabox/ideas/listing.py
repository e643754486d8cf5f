"""Lists of a purpose's ideas: sorted, searched and paginated.

``new`` pages by keyset (created_at, id). The ranked sorts (``top_month``, ``top``,
``hot``) read a Redis leaderboard and page by position; when Redis is down or not
believed, or a filter (a status, a category, search words) is given, PostgreSQL ranks
them with the same formulas. Ranked lists move while people vote, so a page boundary
may repeat or skip an idea whose rank changed between two pages, as on any site ranked
by live votes.
"""

from __future__ import annotations

import contextlib
from datetime import date
from typing import Literal

import asyncpg
import msgspec

from ideabox.accounts.schemas import Viewer
from ideabox.categories.service import is_slug
from ideabox.ideas.schemas import Idea, Sort, Status
from ideabox.ideas.service import ideas_by_id
from ideabox.platform.cache import CacheUnavailable
from ideabox.platform.errors import Invalid, NotFound
from ideabox.platform.pagination import (
    MAX_OFFSET,
    Moment,
    Offset,
    Page,
    RowId,
    decode_cursor,
    encode_cursor,
)
from ideabox.services import Services
from ideabox.votes.reconcile import refresh_purpose
from ideabox.votes.tallies import HOT_EPOCH, HOT_SECONDS

ListKind = Literal["top_month", "top", "hot", "new", "relevance"]


class Position(msgspec.Struct, forbid_unknown_fields=True):
    """Where the next page starts: an offset for ranked lists, a key for ``new``."""

    sort: ListKind
    offset: Offset = 0
    created_at: Moment | None = None
    id: RowId | None = None


_RANK = {
    "top_month": "coalesce(v.month, 0) DESC, coalesce(v.total, 0) DESC, i.created_at, i.id",
    "top": "coalesce(v.total, 0) DESC, i.created_at, i.id",
    "hot": f"log(greatest(coalesce(v.total, 0), 1)) + "
           f"(extract(epoch FROM i.created_at) - {HOT_EPOCH}) / {HOT_SECONDS} DESC, i.id DESC",
    "relevance": "ts_rank_cd(i.search, query) DESC, i.created_at DESC, i.id DESC",
    "new": "i.created_at DESC, i.id DESC",
}

# Each idea's count from its tally row: as cheap for a status filter or a search as for
# the whole list (no counting of votes).
_COUNTS = """
LEFT JOIN (
    SELECT t.idea_id, t.votes AS total,
           CASE WHEN t.month = {month} THEN t.month_votes ELSE 0 END AS month
    FROM idea_tallies t
) v ON v.idea_id = i.id
"""


async def list_ideas(conn: asyncpg.Connection, services: Services, viewer: Viewer | None,
                     slug: str, *, sort: Sort | None = None, q: str | None = None,
                     status: Status | None = None, category: str | None = None,
                     limit: int = 20, cursor: str | None = None) -> Page[Idea]:
    """A page of a purpose's ideas (withdrawn, hidden and unpublished ones never appear);
    ``category``: only those filed under the purpose's category of that slug (retired
    ones too)."""
    purpose = await conn.fetchrow("SELECT id, timezone FROM purposes WHERE slug = $1", slug)
    if purpose is None:
        raise NotFound("purpose_not_found", slug=slug)
    if status in ("withdrawn", "hidden", "pending_review"):
        raise Invalid("status", "status_not_listed", source="query")
    query = _search_terms(q)
    category_id = await _category_id(conn, purpose["id"], category)
    kind: ListKind = sort or ("relevance" if query else "top_month")
    position = decode_cursor(cursor, Position) or Position(sort=kind)
    if position.sort != kind:
        raise Invalid("cursor", "cursor_other_sort", source="query")
    month = services.tallies.month(purpose["timezone"])

    ids: list[int] | None = None
    if (kind not in ("new", "relevance") and query is None and status is None
            and category_id is None):
        with contextlib.suppress(CacheUnavailable):
            ids = await _from_leaderboard(conn, services, purpose["id"], purpose["timezone"],
                                          kind, month, position.offset, limit + 1)
    if ids is None:
        ids = await _from_postgres(conn, purpose["id"], kind, month, query, status,
                                   category_id, position, limit + 1)
    more = len(ids) > limit
    ideas = await ideas_by_id(conn, services, viewer, ids[:limit])
    next_cursor = None
    if more and ideas:
        if kind == "new":
            last = ideas[-1]
            next_cursor = encode_cursor(Position(sort=kind, created_at=last.created_at,
                                                 id=last.id))
        elif position.offset + limit <= MAX_OFFSET:
            # Past a million ideas a ranked list ends: no cursor it would refuse.
            next_cursor = encode_cursor(Position(sort=kind, offset=position.offset + limit))
    return Page(items=ideas, next_cursor=next_cursor)


def _search_terms(q: str | None) -> str | None:
    if q is None or not q.strip():
        return None
    if len(q) > 200:
        raise Invalid("q", "too_long", source="query", n=200)
    if "\x00" in q:
        raise Invalid("q", "nul_characters", source="query")
    return q.strip()


async def _category_id(conn: asyncpg.Connection, purpose_id: int,
                       category: str | None) -> int | None:
    if category is None or not category.strip():
        return None
    found: int | None = None
    if is_slug(category.strip()):
        found = await conn.fetchval(
            "SELECT id FROM categories WHERE purpose_id = $1 AND slug = $2", purpose_id,
            category.strip())
    if found is None:
        raise Invalid("category", "category_unknown", source="query", slug=category[:60])
    return found


async def _from_leaderboard(conn: asyncpg.Connection, services: Services, purpose_id: int,
                            tz: str, board: str, month: date, offset: int,
                            count: int) -> list[int] | None:
    """A page of a leaderboard; None when there is none to read (being built elsewhere),
    and PostgreSQL must rank."""
    ids = await services.tallies.board_page(purpose_id, board, month, offset, count)
    if ids is None:
        # Not built yet (a new month, a new purpose, a fresh Redis): build it now.
        await refresh_purpose(conn, services.tallies, purpose_id, tz, changed=False,
                              lost_is_harmless=True)
        ids = await services.tallies.board_page(purpose_id, board, month, offset, count)
    return ids


class _Params:
    """Collects query arguments and hands out their $n placeholders."""

    def __init__(self) -> None:
        self.values: list[object] = []

    def add(self, value: object) -> str:
        self.values.append(value)
        return f"${len(self.values)}"


async def _from_postgres(conn: asyncpg.Connection, purpose_id: int, kind: ListKind,
                         month: date, query: str | None, status: Status | None,
                         category_id: int | None, position: Position,
                         count: int) -> list[int]:
    params = _Params()
    purpose = params.add(purpose_id)
    source = "ideas i"
    joins = ""
    where = [f"i.purpose_id = {purpose}",
             "i.status NOT IN ('hidden', 'withdrawn', 'pending_review')"]
    if kind in ("top_month", "top", "hot"):
        joins = _COUNTS.format(month=params.add(month))
    if query is not None:
        # CROSS JOIN, not a comma: the vote counts' LEFT JOIN ... ON v.idea_id = i.id
        # binds tighter than a comma and could not see ``i`` past it.
        source = f"ideas i CROSS JOIN websearch_to_tsquery('danish', {params.add(query)}) query"
        where.append("i.search @@ query")
    if status is not None:
        where.append(f"i.status = {params.add(status)}")
    if category_id is not None:
        where.append(f"i.category_id = {params.add(category_id)}")
    page = ""
    if kind == "new":
        if position.created_at is not None and position.id is not None:
            where.append(f"(i.created_at, i.id) < ({params.add(position.created_at)}, "
                         f"{params.add(position.id)})")
    else:
        page = f"OFFSET {params.add(position.offset)}"
    # S608: fragments are constants, values go as $n.
    sql = (f"SELECT i.id FROM {source} {joins} WHERE {' AND '.join(where)} "  # noqa: S608
           f"ORDER BY {_RANK[kind]} {page} LIMIT {params.add(count)}")
    rows = await conn.fetch(sql, *params.values)
    return [row["id"] for row in rows]
