"""The election against a real PostgreSQL: one of several electors leads and runs the
work; when its lock connection is cut, it stops the work and another takes over."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator

import asyncpg
import pytest

from ideabox.election.elector import LEADER_LOCK, Elector
from tests.faults.harness import eventually

INTERVAL = 0.2


class Candidate:
    """An elector and what it is doing: its work records when it runs."""

    def __init__(self, name: str, database_url: str, *, interval: float = INTERVAL) -> None:
        self.name = name
        self.elector = Elector(database_url, interval=interval)
        self.working = False
        self.terms = 0  # times its work was started

    async def work(self) -> None:
        self.working = True
        self.terms += 1
        try:
            await asyncio.Event().wait()  # the work runs until it is stopped
        finally:
            self.working = False


@contextlib.asynccontextmanager
async def campaigning(*candidates: Candidate) -> AsyncIterator[None]:
    tasks = [asyncio.create_task(c.elector.campaign(c.work)) for c in candidates]
    try:
        yield
    finally:
        for task in tasks:
            task.cancel()
        results = await asyncio.gather(*tasks, return_exceptions=True)
        assert all(isinstance(r, asyncio.CancelledError) for r in results), results


async def _lock_holder(db: asyncpg.Connection) -> int | None:
    """The backend holding the leader's lock."""
    pid: int | None = await db.fetchval(
        "SELECT pid FROM pg_locks WHERE locktype = 'advisory' AND granted "
        "AND classid = $1 AND objid = $2 AND objsubid = 1",
        LEADER_LOCK >> 32, LEADER_LOCK & 0xFFFFFFFF)
    return pid


def _sole_leader(candidates: tuple[Candidate, ...]) -> Candidate | None:
    leading = [c for c in candidates if c.elector.leading]
    working = [c for c in candidates if c.working]
    if len(leading) == 1 and working == leading:
        return leading[0]
    return None


async def test_one_leads_and_another_takes_over_when_its_connection_is_cut(
        database_url: str, db: asyncpg.Connection, caplog: pytest.LogCaptureFixture):
    caplog.set_level(logging.INFO, logger="ideabox.election")
    # The first campaigns alone and leads; the second, trying more often, joins it.
    first = Candidate("first", database_url, interval=5 * INTERVAL)
    other = Candidate("other", database_url, interval=INTERVAL)
    candidates = (first, other)
    async with campaigning(first):
        await eventually(lambda: first.elector.leading and first.working, timeout=10,
                         what="the first elector leads")
        async with campaigning(other):
            await eventually(lambda: other.elector.attempts >= 2, timeout=10,
                             what="the other elector tries for the lead")
            assert _sole_leader(candidates) is first
            # It holds the lock on a connection of its own, named for the process.
            holder = await _lock_holder(db)
            assert holder is not None
            assert (await db.fetchval("SELECT application_name FROM pg_stat_activity "
                                      "WHERE pid = $1", holder)).startswith("ideabox leader ")

            # The leader's session ends, as when its process dies or its network fails.
            assert await db.fetchval("SELECT pg_terminate_backend($1)", holder)

            await eventually(lambda: _sole_leader(candidates) is other, timeout=10,
                             what="the other elector takes over, the first stops its work")
            assert first.terms == 1 and other.terms == 1
            assert await _lock_holder(db) not in (None, holder)

            # Once more: whoever takes over, one leads again, on a new session.
            second_holder = await _lock_holder(db)
            assert await db.fetchval("SELECT pg_terminate_backend($1)", second_holder)
            await eventually(lambda: _sole_leader(candidates) is not None
                             and first.terms + other.terms == 3, timeout=10,
                             what="one elector leads again")
            assert await _lock_holder(db) not in (None, holder, second_holder)
    assert not any(c.elector.leading or c.working for c in candidates)
    said = [r.getMessage() for r in caplog.records if r.name == "ideabox.election.elector"]
    assert said.count("this worker leads: it runs the shared background work") == 3
    assert said.count("this worker no longer leads") == 3
    assert said.count("lost the lock connection: stopping the elected work") == 2


async def test_only_one_of_several_leads_at_any_time(database_url: str):
    candidates = tuple(Candidate(str(n), database_url) for n in range(4))
    async with campaigning(*candidates):
        await eventually(lambda: _sole_leader(candidates) is not None, timeout=10,
                         what="one of four electors leads")
        leader = _sole_leader(candidates)
        # Several rounds of trying later, the same one leads, alone.
        others = [c for c in candidates if c is not leader]
        tried = [c.elector.attempts for c in others]
        await eventually(lambda: all(c.elector.attempts >= n + 3
                                     for c, n in zip(others, tried, strict=True)),
                         timeout=10, what="the others try three times more")
        assert _sole_leader(candidates) is leader
        assert all(c.terms == 0 for c in others)


async def test_no_database_no_leader():
    candidate = Candidate("a", "postgresql://postgres@127.0.0.1:1/nowhere")
    async with campaigning(candidate):
        await eventually(lambda: candidate.elector.attempts >= 3, timeout=10,
                         what="the elector tries three times")
        assert not candidate.elector.leading and candidate.terms == 0
