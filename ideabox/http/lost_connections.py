"""What follows a request's lost database connection, after it was answered 503.

When PostgreSQL restarts (a crash, a failover), every connection in the pool breaks at
once, and the pool learns it only by using them. ``ideabox.http.errors`` answers such
a loss with 503; the middleware here, around each route, then

- expires every pooled connection, so later requests open fresh ones instead of
  finding the other broken ones one by one;
- runs a GET or HEAD whose answer was that 503, with nothing sent yet, once more: the
  reader sees nothing of a restart that is already over;
- after a write, has every tally recounted once PostgreSQL answers again
  (``recount_after_writes_in_doubt``): the write may have committed just before its
  connection broke, and then Redis was never told. That is the start-up refresh of a
  worker whose predecessor died between a commit and its Redis update, for the same
  reason.

Writes are never repeated: whether a write committed cannot be known, so it answers
503 with Retry-After and the client decides (votes are idempotent; a repeated PUT or
DELETE does no harm).
"""

from __future__ import annotations

import asyncio
import logging

from litestar.datastructures import State
from litestar.enums import ScopeType
from litestar.types import ASGIApp, Message, Receive, Scope, Send
from litestar.utils.scope.state import ScopeState

from ideabox.platform.cache import CacheUnavailable
from ideabox.platform.db import is_connection_loss

log = logging.getLogger(__name__)

_LOST = "ideabox.connection_lost"
_SAFE = frozenset({"GET", "HEAD"})
_IN_DOUBT = "writes_in_doubt"


def note_connection_lost(scope: Scope) -> None:
    """Record that this request lost its database connection; called where the error
    becomes its 503."""
    scope.setdefault("state", {})[_LOST] = True


def _lost(scope: Scope) -> bool:
    return bool(scope.get("state", {}).get(_LOST))


def _writes_in_doubt(state: State) -> asyncio.Event:
    """Set when a write lost its connection; the recount clears it."""
    event: asyncio.Event | None = state.get(_IN_DOUBT)
    if event is None:
        event = state[_IN_DOUBT] = asyncio.Event()
    return event


class LostConnectionMiddleware:
    """After a lost connection: expire the pool; repeat a GET or HEAD once; after a
    write, ask for the recount (see above)."""

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
        state: State = scope["litestar_app"].state
        await state.services.pool.expire_connections()
        if not may_repeat:
            _writes_in_doubt(state).set()
        if not held_back:
            return
        del scope["state"][_LOST]
        # Litestar remembers that the held-back 503 started a response; nothing did.
        ScopeState.from_scope(scope).response_started = False
        await self.app(scope, receive, send)


async def recount_after_writes_in_doubt(state: State) -> None:
    """Background task of every worker: after a write lost its connection, recount every
    tally from PostgreSQL as soon as it answers (while Redis goes on being believed)."""
    doubts = _writes_in_doubt(state)
    while True:
        await doubts.wait()
        doubts.clear()  # a write lost during the recount asks for another
        try:
            await _recount(state)
        except BaseException:
            doubts.set()  # not done: the next run of this task does it
            raise


async def _recount(state: State) -> None:
    from ideabox.votes.reconcile import Reconciler

    delay = 0.2
    while True:
        try:
            await Reconciler(state.services).refresh_everything()
        except Exception as exc:
            if not (isinstance(exc, CacheUnavailable) or is_connection_loss(exc)):
                raise
            log.info("the recount after a lost write waits for the database: %r", exc)
            await asyncio.sleep(delay)
            delay = min(delay * 2, 5.0)
        else:
            log.info("recounted the vote cache after a write lost its connection")
            return
