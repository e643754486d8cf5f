"""Who is asking: a bearer token (API clients) or a session cookie (the browser).

The lookup uses the request's own connection, so authentication costs one indexed
query and no extra connection, and it only reads: a session or token in use is
extended (at most hourly) after the answer, by ``extend_sign_in`` (the app's
``after_response`` hook), and the browser is sent its cookie again with a fresh
Max-Age by ``resend_session_cookie``. Routes ask for the person through
``ideabox.http.dependencies``.
"""

from __future__ import annotations

import logging
from typing import Any

from litestar import Request
from litestar.datastructures import Cookie, MutableScopeHeaders
from litestar.types import Message, Scope

from ideabox.accounts.schemas import Viewer
from ideabox.accounts.service import viewer_of
from ideabox.accounts.tokens import SESSION_COOKIE, token_hash
from ideabox.identity.eligibility import person_columns
from ideabox.platform.db import Db
from ideabox.platform.errors import Unauthorized
from ideabox.platform.settings import Settings

log = logging.getLogger(__name__)

# Set in the request's state when the sign-in it was made with is due to be extended:
# (token id, kind, and for a session its secret, which the cookie is sent again with).
_DUE = "sign_in_due"

# A token without an expiry can only have been made by an instance older than
# sql/0006 while a rolling upgrade was under way: it counts as stale, so its first use
# here gives it one.
_LOOKUP = f"""
SELECT u.id, u.display_name, u.role, {person_columns("u")}, t.id AS token_id,
       t.last_used_at < $3::timestamptz - interval '1 hour' OR t.expires_at IS NULL AS stale
FROM auth_tokens t
JOIN users u ON u.id = t.user_id
WHERE t.token_hash = $1 AND t.kind = $2
  AND (t.expires_at IS NULL OR t.expires_at > $3)
  AND u.deleted_at IS NULL
"""  # noqa: S608 - a constant spliced in; values go as $n

# Sessions and API tokens slide: each use (at most hourly, to spare writes) extends them.
_TOUCH = """
UPDATE auth_tokens
SET last_used_at = $3, expires_at = $3::timestamptz + make_interval(days => $2)
WHERE id = $1
"""


def _lifetime_days(settings: Settings, kind: str) -> int:
    return settings.session_days if kind == "session" else settings.api_token_days


async def _lookup(request: Request[Any, Any, Any], db: Db, token: str,
                  kind: str) -> Viewer | None:
    row = await db.conn.fetchrow(_LOOKUP, token_hash(token), kind, db.now)
    if row is None:
        return None
    if row["stale"]:
        request.state[_DUE] = (row["token_id"], kind, token)
    request.state.auth_token_id = row["token_id"]
    request.state.auth_kind = kind
    return viewer_of(row)


def carries_credentials(request: Request[Any, Any, Any]) -> bool:
    """Whether the request claims to be somebody (an Authorization header or a session
    cookie); without, it is anonymous and needs no database to say so."""
    return "authorization" in request.headers or bool(request.cookies.get(SESSION_COOKIE))


async def viewer_from_request(request: Request[Any, Any, Any], db: Db) -> Viewer | None:
    """The signed-in person, or None. A bearer token that is not valid is an error (401),
    never silently anonymous; a stale session cookie just means signed out."""
    header = request.headers.get("authorization")
    if header is not None:
        scheme, _, token = header.strip().partition(" ")
        if scheme.lower() != "bearer" or not token.strip():
            raise Unauthorized("bearer_malformed")
        viewer = await _lookup(request, db, token.strip(), "api")
        if viewer is None:
            raise Unauthorized("token_invalid")
        return viewer
    cookie = request.cookies.get(SESSION_COOKIE)
    if cookie:
        return await _lookup(request, db, cookie, "session")
    return None


async def extend_sign_in(request: Request[Any, Any, Any]) -> None:
    """Litestar ``after_response`` hook: extend the session or token the request was
    made with, if it is due (last extended more than an hour ago). A failure is logged:
    the next request tries again."""
    due = request.state.get(_DUE)
    if due is None:
        return
    token_id, kind, _ = due
    services = request.app.state.services
    try:
        async with services.pool.acquire() as conn:
            await conn.execute(_TOUCH, token_id, _lifetime_days(services.settings, kind),
                               services.now())
    except Exception as exc:  # after the answer: nobody to tell but the log
        log.warning("could not extend sign-in %s: %r", token_id, exc)


def ends_this_browsers_session(request: Request[Any, Any, Any], token_id: int) -> bool:
    """Whether ending sign-in ``token_id`` signs this browser out, so that the answer
    must expire its cookie."""
    current: int | None = request.state.get("auth_token_id")
    return request.state.get("auth_kind") == "session" and token_id == current


def session_cookie(settings: Settings, token: str) -> Cookie:
    """The browser's session cookie: never readable by scripts, not sent cross-site."""
    return Cookie(key=SESSION_COOKIE, value=token, path="/", httponly=True, samesite="lax",
                  secure=settings.secure_cookies, max_age=settings.session_days * 86400)


def expired_session_cookie(settings: Settings) -> Cookie:
    return Cookie(key=SESSION_COOKIE, value="", path="/", httponly=True, samesite="lax",
                  secure=settings.secure_cookies, max_age=0, expires=0)


async def resend_session_cookie(message: Message, scope: Scope) -> None:
    """Litestar ``before_send`` hook: when a request extended its session, send the cookie
    again with a fresh Max-Age, so the browser keeps it as long as the server does."""
    if message["type"] != "http.response.start":
        return
    due = scope.get("state", {}).get(_DUE)
    if not due or due[1] != "session":
        return
    token = due[2]
    headers = MutableScopeHeaders.from_message(message)
    # A response that sets or ends the session itself (sign-in, sign-out) has the say.
    if any(value.startswith(f"{SESSION_COOKIE}=") for value in headers.getall("set-cookie", [])):
        return
    settings: Settings = scope["litestar_app"].state.settings
    headers.add("set-cookie", session_cookie(settings, token).to_header(header=""))
