"""Who is asking: a bearer token (API clients) or a session cookie (the browser).

Routes ask for ``viewer: Viewer | None`` (reading, where signed-in people see a little
more) or ``user: Viewer`` (writing; 401 without a valid sign-in). The lookup uses the
request's own connection, so authentication costs one indexed query and no extra
connection.
"""

from __future__ import annotations

from typing import Any

from litestar import Request
from litestar.di import NamedDependency

from ideabox import ratelimit
from ideabox.accounts.schemas import Viewer
from ideabox.accounts.tokens import SESSION_COOKIE, token_hash
from ideabox.db import SAFE_METHODS, Db
from ideabox.errors import Unauthorized

_LOOKUP = """
SELECT u.id, u.display_name, u.role, t.id AS token_id,
       t.last_used_at < now() - interval '1 hour' AS stale
FROM auth_tokens t
JOIN users u ON u.id = t.user_id
WHERE t.token_hash = $1 AND t.kind = $2
  AND (t.expires_at IS NULL OR t.expires_at > now())
  AND u.deleted_at IS NULL
"""

# Sessions slide: each use (at most hourly, to spare writes) extends them.
_TOUCH = """
UPDATE auth_tokens
SET last_used_at = now(),
    expires_at = CASE WHEN kind = 'session' THEN now() + make_interval(days => $2)
                      ELSE expires_at END
WHERE id = $1
"""


async def _lookup(request: Request[Any, Any, Any], db: Db, token: str,
                  kind: str) -> Viewer | None:
    row = await db.conn.fetchrow(_LOOKUP, token_hash(token), kind)
    if row is None:
        return None
    if row["stale"]:
        await db.conn.execute(_TOUCH, row["token_id"], request.app.state.settings.session_days)
    request.state.auth_token_id = row["token_id"]
    request.state.auth_kind = kind
    return Viewer(id=row["id"], display_name=row["display_name"], role=row["role"])


async def provide_viewer(request: Request[Any, Any, Any],
                         db: NamedDependency[Db]) -> Viewer | None:
    """The signed-in person, or None. A bearer token that is not valid is an error (401),
    never silently anonymous; a stale session cookie just means signed out."""
    header = request.headers.get("authorization")
    if header is not None:
        scheme, _, token = header.strip().partition(" ")
        if scheme.lower() != "bearer" or not token.strip():
            raise Unauthorized("Send the token as 'Authorization: Bearer <token>'")
        viewer = await _lookup(request, db, token.strip(), "api")
        if viewer is None:
            raise Unauthorized("The token is not valid: it is unknown or was revoked")
        return viewer
    cookie = request.cookies.get(SESSION_COOKIE)
    if cookie:
        return await _lookup(request, db, cookie, "session")
    return None


async def provide_user(request: Request[Any, Any, Any],
                       viewer: NamedDependency[Viewer | None]) -> Viewer:
    """The signed-in person; 401 when nobody is signed in. Every write they make counts
    against their per-minute allowance (429 past it)."""
    if viewer is None:
        raise Unauthorized("Sign in to do this")
    if request.method not in SAFE_METHODS:
        await ratelimit.write(request, viewer.id)
    return viewer
