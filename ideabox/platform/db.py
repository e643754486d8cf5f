"""PostgreSQL: the connection pool, and ``Db``: a connection, its transaction and the
instant it works at.

One way to get a connection: a route asks for ``db`` (``ideabox.http.dependencies``);
a command or a background task opens its own ``Db`` on a pooled connection. Work that
must follow the commit (updating the Redis cache, sending notifications) is
registered with ``db.after_commit``, and runs only if the transaction commits.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import re
from collections.abc import AsyncIterator, Awaitable, Callable
from datetime import datetime
from typing import Any

import asyncpg
import msgspec

from ideabox.platform.errors import Unavailable

log = logging.getLogger(__name__)

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})

# Raised by asyncpg and the socket layer when PostgreSQL is out of reach.
CONNECTION_ERRORS: tuple[type[BaseException], ...] = (
    OSError,
    asyncio.TimeoutError,
    asyncpg.exceptions.PostgresConnectionError,
    asyncpg.exceptions.CannotConnectNowError,
    asyncpg.exceptions.ConnectionDoesNotExistError,
    asyncpg.exceptions.TooManyConnectionsError,
    asyncpg.exceptions.AdminShutdownError,
    # A backend that crashed makes the postmaster end every other session with this.
    asyncpg.exceptions.CrashShutdownError,
)

# asyncpg says "connection is closed" (or "pool is closing") with an InterfaceError, the
# same class it uses for misuse such as two statements at once on one connection: only
# these messages mean the connection is gone. A connection lost between two statements
# of a request is handed back to the pool by asyncpg itself, so the next statement says
# it "has been released back to the pool": the request's own connection is released only
# after the request, so during one that too means the connection was lost.
_CLOSED = re.compile(r"\b(?:connection|pool) is clos(?:ed|ing)\b"
                     r"|\bconnection has been released back to the pool\b")

def is_connection_loss(exc: BaseException) -> bool:
    """Whether ``exc`` says PostgreSQL went out of reach (a group: all its errors do),
    rather than that a statement or ideabox itself is wrong."""
    if isinstance(exc, BaseExceptionGroup):
        return all(is_connection_loss(inner) for inner in exc.exceptions)
    if isinstance(exc, asyncpg.exceptions.InterfaceError):
        return _CLOSED.search(str(exc)) is not None
    return isinstance(exc, CONNECTION_ERRORS)

Connection = asyncpg.Connection


class _Connection(asyncpg.Connection):  # type: ignore[misc]
    def get_reset_query(self) -> str:
        # asyncpg resets every connection on release (UNLISTEN, RESET ALL, unlock advisory
        # locks): a round trip per request for state we never leave behind. Session-level
        # advisory locks are only taken on dedicated connections (migrations), so skip it.
        return ""


async def _init_connection(conn: asyncpg.Connection) -> None:
    await conn.set_type_codec("jsonb", schema="pg_catalog", format="text",
                              encoder=lambda v: msgspec.json.encode(v).decode(),
                              decoder=msgspec.json.decode)
    await conn.set_type_codec("json", schema="pg_catalog", format="text",
                              encoder=lambda v: msgspec.json.encode(v).decode(),
                              decoder=msgspec.json.decode)


async def create_pool(url: str, *, max_size: int = 20, timeout: float = 5.0,
                      statement_timeout: float | None = None) -> asyncpg.Pool:
    """A pool whose creation never fails: connections open on demand, so the service
    starts (and reports not ready) while PostgreSQL is down, and recovers by itself.
    ``statement_timeout``: PostgreSQL cancels a statement that runs longer (seconds);
    work that may take long sets its own with ``unhurried``."""
    settings = {"application_name": "ideabox", "jit": "off",
                "plan_cache_mode": "force_generic_plan"}
    if statement_timeout is not None:
        settings["statement_timeout"] = str(int(statement_timeout * 1000))
    pool: asyncpg.Pool = await asyncpg.create_pool(
        url, min_size=0, max_size=max_size, connection_class=_Connection,
        init=_init_connection, timeout=timeout, command_timeout=60,
        server_settings=settings,
    )
    return pool


async def close_pool(pool: asyncpg.Pool, grace: float) -> None:
    """Close ``pool``, giving the connections still in use ``grace`` seconds to come back.

    asyncpg's graceful close waits for every connection without limit, and one that is
    never released (a statement stuck behind a cancel PostgreSQL never acknowledges)
    would hold shutdown forever; after ``grace`` the rest are cut.
    """
    try:
        await asyncio.wait_for(pool.close(), grace)
    except TimeoutError:
        log.warning("connections still in use after %.0f s at shutdown: closing them", grace)
        pool.terminate()


async def unhurried(conn: asyncpg.Connection) -> None:
    """Lift the statement timeout for the rest of the current transaction: for work that
    is long by nature (a month's promotion over millions of votes, an export), not a
    request's query gone astray."""
    await conn.execute("SET LOCAL statement_timeout = 0")


@contextlib.asynccontextmanager
async def planned_for_these_parameters(conn: asyncpg.Connection) -> AsyncIterator[None]:
    """Within the current transaction, plan the statements run inside for their own
    parameters, then go back to the pool's generic plans.

    The pool asks PostgreSQL for generic plans: the request path's statements are short
    and alike, and re-planning them cost more than running them. The monthly ranking
    over millions of votes is the other way round: its best plan depends on the month
    asked for (which votes the BRIN index can skip). Only there: the notifications a
    promotion writes took twice as long with custom plans.
    """
    await conn.execute("SET LOCAL plan_cache_mode = force_custom_plan")
    yield
    # Not in a finally: after an error the transaction is rolled back, which undoes the
    # SET LOCAL anyway, and a statement now would only hide the error.
    await conn.execute("RESET plan_cache_mode")


class Db:
    """The request's connection and, for unsafe requests, its transaction."""

    __slots__ = ("_after_commit", "_tx", "conn", "now")

    def __init__(self, conn: asyncpg.Connection, now: datetime) -> None:
        self.conn = conn
        # The request's instant, from the clock: what it writes is stamped with this, as
        # PostgreSQL's now() is the time its transaction started.
        self.now = now
        self._tx: asyncpg.transaction.Transaction | None = None
        self._after_commit: list[Callable[[], Awaitable[Any]]] = []

    async def begin(self) -> None:
        self._tx = self.conn.transaction()
        await self._tx.start()

    def after_commit(self, callback: Callable[[], Awaitable[Any]]) -> None:
        """Run ``callback`` once the transaction has committed (at once if there is none)."""
        self._after_commit.append(callback)

    async def commit(self) -> None:
        """Commit now, so the rest of the request can act on what is on record."""
        if self._tx is not None:
            tx, self._tx = self._tx, None
            await tx.commit()
        callbacks, self._after_commit = self._after_commit, []
        for callback in callbacks:
            await callback()

    async def rollback(self) -> None:
        self._after_commit = []
        if self._tx is not None:
            tx, self._tx = self._tx, None
            await tx.rollback()


async def acquire(pool: asyncpg.Pool, timeout: float) -> asyncpg.Connection:
    """A connection from the pool; 503 when none can be had within ``timeout``."""
    try:
        return await pool.acquire(timeout=timeout)
    except CONNECTION_ERRORS as exc:
        raise Unavailable("unavailable") from exc
