"""Electing the one worker, in the whole cluster, that runs the shared background work.

The leader is whoever holds a session-level advisory lock, taken on a connection of its
own: not a pooled one, which is lent to others and never reset (``ideabox.platform.db``),
so a lock taken there would outlive the work that took it. When the leader dies (the
process is killed, its host or network goes), PostgreSQL ends its session and with it
the lock, and the next follower to try takes it: within ``interval`` seconds of the
session's end.

No split brain: the leader runs the work only while its lock connection is alive. It
checks that connection every ``interval`` seconds (and hears at once of a connection
closed under it), and stops the work the moment the check fails. The session asks
PostgreSQL for TCP keepalives that give up on a silent client after several intervals,
later than the leader's own check gives up on a silent server; so over a network that
fails, the leader has stopped before a follower can take over.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
from collections.abc import Awaitable, Callable, Coroutine
from typing import Any

import asyncpg

from ideabox.metrics.counters import leading_changed
from ideabox.platform.db import CONNECTION_ERRORS
from ideabox.platform.settings import Settings

log = logging.getLogger(__name__)

# The one-key advisory lock space: beside the migrations' and the reconciler's keys.
LEADER_LOCK = 0x1DEA_0010
# Keepalive probes PostgreSQL sends an idle leader before it gives up on it: with the
# first after ``interval`` seconds, the session ends ``(1 + KEEPALIVE_PROBES) * interval``
# after the leader fell silent, while the leader gives up after twice the interval.
KEEPALIVE_PROBES = 3

# Seconds a follower waits for PostgreSQL to answer its try, at least.
CONNECT_TIMEOUT = 5.0

Work = Callable[[], Coroutine[Any, Any, None]]


class Elector:
    """Campaigns for the lead and runs ``work`` while it holds it."""

    def __init__(self, database_url: str, *, interval: float,
                 lock_key: int = LEADER_LOCK,
                 on_change: Callable[[bool], None] | None = None) -> None:
        self.database_url = database_url
        self.interval = interval
        self.lock_key = lock_key
        self._on_change = on_change
        self._leading = False
        # Tries for the lead so far, won or not (for whoever wants to see it campaign).
        self.attempts = 0

    @property
    def patience(self) -> float:
        """How long a try for the lead may take: a slow connection is no reason to give
        up on it (the check of a leader's connection, though, keeps to the interval)."""
        return max(self.interval, CONNECT_TIMEOUT)

    @property
    def leading(self) -> bool:
        """Whether this process holds the lead (and so runs the work) now."""
        return self._leading

    async def campaign(self, work: Work) -> None:
        """Forever: try for the lead every ``interval`` seconds; while holding it, run
        ``work`` (cancelled when the lead is lost, started again when it is won back)."""
        while True:
            conn = await self._try_to_win()
            if conn is not None:
                try:
                    self._set_leading(True)
                    await self._lead(conn, work)
                finally:
                    self._set_leading(False)
                    conn.terminate()
                # Lost it: stand aside a round, so that a follower (not the worker whose
                # connection just failed, and may fail again) is likely to take over.
                await asyncio.sleep(self.interval)
            await asyncio.sleep(self.interval)

    async def _try_to_win(self) -> asyncpg.Connection | None:
        """The lock connection, holding the lock; None if another holds it or PostgreSQL
        cannot be reached."""
        self.attempts += 1
        try:
            conn = await asyncpg.connect(self.database_url, timeout=self.patience,
                                         server_settings=self._session_settings())
        except CONNECTION_ERRORS as exc:
            log.debug("cannot campaign for the lead, database unreachable: %s", exc)
            return None
        won = False
        try:
            with contextlib.suppress(*CONNECTION_ERRORS):
                async with asyncio.timeout(self.patience):
                    won = await conn.fetchval("SELECT pg_try_advisory_lock($1)",
                                              self.lock_key)
        finally:
            if not won:
                conn.terminate()  # also when cancelled: the lock goes with the session
        return conn if won else None

    def _session_settings(self) -> dict[str, str]:
        # The worker's process id in pg_stat_activity says who leads.
        seconds = str(max(1, round(self.interval)))
        return {"application_name": f"ideabox leader {os.getpid()}",
                "tcp_keepalives_idle": seconds, "tcp_keepalives_interval": seconds,
                "tcp_keepalives_count": str(KEEPALIVE_PROBES)}

    async def _lead(self, conn: asyncpg.Connection, work: Work) -> None:
        """Run ``work`` until the lock connection fails (or the work ends)."""
        closed = asyncio.Event()
        conn.add_termination_listener(lambda _: closed.set())
        running = asyncio.create_task(work(), name="ideabox:elected work")
        try:
            while not running.done():
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(_first(closed.wait(), running), self.interval)
                if running.done():
                    break
                if not await self._alive(conn, closed):
                    log.warning("lost the lock connection: stopping the elected work")
                    return
            await running  # the work ended by itself: its error, if any, is the caller's
        finally:
            running.cancel()
            await asyncio.gather(running, return_exceptions=True)

    async def _alive(self, conn: asyncpg.Connection, closed: asyncio.Event) -> bool:
        if closed.is_set() or conn.is_closed():
            return False
        try:
            async with asyncio.timeout(self.interval):
                await conn.fetchval("SELECT 1")
        except (*CONNECTION_ERRORS, asyncpg.exceptions.InterfaceError):
            return False
        return True

    def _set_leading(self, leading: bool) -> None:
        if leading == self._leading:
            return
        self._leading = leading
        if leading:
            log.info("this worker leads: it runs the shared background work")
        else:
            log.info("this worker no longer leads")
        if self._on_change is not None:
            self._on_change(leading)


async def _first(closed: Awaitable[bool], running: asyncio.Task[None]) -> None:
    """Return when the connection closes or the work ends, whichever is first."""
    waiter = asyncio.ensure_future(closed)
    try:
        await asyncio.wait([waiter, running], return_when=asyncio.FIRST_COMPLETED)
    finally:
        waiter.cancel()


def elector_for(settings: Settings) -> Elector:
    """The worker's elector over ``settings``' PostgreSQL, telling the metrics of each
    change of lead."""
    assert settings.database_url
    return Elector(settings.database_url, interval=settings.leader_check_seconds,
                   on_change=leading_changed)
