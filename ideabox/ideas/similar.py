"""Ideas like the one being written: so a resident finds and supports an existing idea
instead of posting it twice."""

from __future__ import annotations

import re

import asyncpg

from ideabox.accounts.schemas import Viewer
from ideabox.ideas.schemas import Idea
from ideabox.ideas.service import ideas_by_id
from ideabox.platform.errors import NotFound
from ideabox.services import Services

# Letters and digits only: the words are joined into a tsquery, whose syntax characters
# (& | ! : * ( ) ') must never come from the reader.
_WORD = re.compile(r"[^\W_]+")
MAX_WORDS = 8
LIMIT = 5


def prefix_query(title: str) -> str | None:
    """"Flere cykelsti" -> "flere:* | cykelsti:*": any word, each as a prefix, so the
    list follows the title while it is still being typed."""
    words = [w.lower() for w in _WORD.findall(title) if len(w) >= 3][:MAX_WORDS]
    return " | ".join(f"{word}:*" for word in words) or None


async def similar_ideas(conn: asyncpg.Connection, services: Services, viewer: Viewer | None,
                        slug: str, title: str, limit: int = LIMIT) -> list[Idea]:
    """Up to ``limit`` listed ideas of the purpose whose words (Danish stems) start like
    the words of ``title``, the closest first."""
    purpose_id = await conn.fetchval("SELECT id FROM purposes WHERE slug = $1", slug)
    if purpose_id is None:
        raise NotFound("purpose_not_found", slug=slug)
    query = prefix_query(title[:200])
    if query is None:
        return []
    rows = await conn.fetch(
        """
        SELECT i.id FROM ideas i, to_tsquery('danish', $2) query
        WHERE i.purpose_id = $1 AND i.status NOT IN ('hidden', 'withdrawn', 'pending_review')
          AND i.search @@ query
        ORDER BY ts_rank_cd(i.search, query) DESC, i.created_at DESC, i.id DESC
        LIMIT $3
        """, purpose_id, query, limit)
    return await ideas_by_id(conn, services, viewer, [row["id"] for row in rows])
