"""A read whose database connection broke is tried once more, on a fresh connection.

When PostgreSQL restarts (a crash, a failover), every connection in the pool breaks at
once, and the pool learns it only by using them. ``ideabox.http_errors`` answers such
a loss with 503; this middleware, around each route, then does two things:

- it expires every pooled connection, so later requests open fresh ones instead of
  finding the other broken ones one by one;
- a GET or HEAD whose answer was that 503, with nothing sent yet, is run again, once.
  The reader sees nothing of a restart that is already over.

Writes are never repeated: whether a write committed before its connection broke cannot
be known, so it answers 503 with Retry-After and the client decides (votes are
idempotent; a repeated PUT or DELETE does no harm).
"""

from __future__ import annotations

import asyncpg
from litestar.enums import ScopeType
from litestar.types import ASGIApp, Message, Receive, Scope, Send
from litestar.utils.scope.state import ScopeState

_LOST = "ideabox.connection_lost"
_SAFE = frozenset({"GET", "HEAD"})


def note_connection_lost(scope: Scope) -> None:
    """Record that this request lost its database connection (the 503 it answers says
    so too); called where the error becomes a response."""
    scope.setdefault("state", {})[_LOST] = True


def _lost(scope: Scope) -> bool:
    return bool(scope.get("state", {}).get(_LOST))


class RetryLostReadsMiddleware:
    """Expire the pool after a lost connection; repeat a GET or HEAD once (see above)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != ScopeType.HTTP:
            await self.app(scope, receive, send)
            return
        may_repeat = scope["method"] in _SAFE
        held_back = False

        async def send_unless_repeating(message: Message) -> None:
            nonlocal held_back
            # The 503 is the first message of its response: decided before anything left.
            if message["type"] == "http.response.start" and may_repeat and _lost(scope):
                held_back = True
            if not held_back:
                await send(message)

        await self.app(scope, receive, send_unless_repeating)
        if not _lost(scope):
            return
        pool: asyncpg.Pool = scope["litestar_app"].state.pool
        await pool.expire_connections()
        if not held_back:
            return
        del scope["state"][_LOST]
        # Litestar remembers that the held-back 503 started a response; nothing did.
        ScopeState.from_scope(scope).response_started = False
        await self.app(scope, receive, send)
