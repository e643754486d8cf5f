"""A person's own sign-ins (browser sessions and API tokens): listed, and ended all at
once. The secrets themselves are never kept (only their hashes), so they are never
shown. (One sign-in is ended by ``service.revoke_token``.)"""

from __future__ import annotations

import asyncpg
import msgspec

from ideabox.accounts.schemas import SignIn, Viewer
from ideabox.platform.db import Db
from ideabox.platform.pagination import Page, RowId, decode_cursor, page_of


class _Before(msgspec.Struct, forbid_unknown_fields=True):
    id: RowId


# Newest first; an expired sign-in can no longer be used, so it is nobody's sign-in.
_LIST = """
SELECT id, kind, created_at, last_used_at, expires_at, id IS NOT DISTINCT FROM $2 AS current
FROM auth_tokens
WHERE user_id = $1 AND (expires_at IS NULL OR expires_at > $3)
  AND ($4::bigint IS NULL OR id < $4)
ORDER BY id DESC
LIMIT $5
"""


async def list_sign_ins(db: Db, viewer: Viewer, *, current: int | None, limit: int,
                        cursor: str | None = None) -> Page[SignIn]:
    """The viewer's sessions and tokens that are still valid, newest first; ``current``
    (the id of the request's own) is marked."""
    before = decode_cursor(cursor, _Before)
    rows = await db.conn.fetch(_LIST, viewer.id, current, db.now,
                               before.id if before else None, limit + 1)
    return page_of(rows, limit, lambda row: SignIn(**dict(row)),
                   lambda last: _Before(id=last.id))


async def end_sign_ins(conn: asyncpg.Connection, viewer: Viewer, *,
                       keep: int | None = None) -> None:
    """End every session and token of the viewer, at once; all but ``keep``, if given
    (the one a password was changed with)."""
    await conn.execute("DELETE FROM auth_tokens WHERE user_id = $1 AND id IS DISTINCT FROM $2",
                       viewer.id, keep)
