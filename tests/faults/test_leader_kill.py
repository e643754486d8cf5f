"""Three ``ideabox serve`` instances (two workers each) on one PostgreSQL and Redis: one
worker of all six leads the shared background work. SIGKILL its whole instance (as a
pulled plug does) and a worker of another instance takes the lead and does the work;
the month it was promoting is promoted exactly once.

The test holds the month's promotion lock, so the leader's promotion waits on it, and
only the leader's: how many wait says how many run the schedule. The instances' /metrics
add up their workers' counts and say which instance leads."""

from __future__ import annotations

import contextlib
from datetime import date, timedelta
from pathlib import Path

import asyncpg
import httpx
import pytest
from prometheus_client.parser import text_string_to_metric_families

from ideabox.election.elector import LEADER_LOCK
from ideabox.promotion.service import LOCK_NAMESPACE
from tests.conftest import NOW, ideabox_env
from tests.factories import (
    backdate_idea,
    backdate_votes,
    make_purpose,
    make_user,
    post_idea,
    vote_as,
)
from tests.faults.harness import Served, eventually, serve

pytestmark = pytest.mark.slow

NOVEMBER = date(2026, 11, 1)
SETTINGS = {
    "IDEABOX_BACKGROUND_TASKS": "true",
    # The followers try for the lead often, so the test sees the take-over soon.
    "IDEABOX_LEADER_CHECK_SECONDS": "0.5",
    # A month on from the factories' NOW: November (the purpose's first) is due.
    "IDEABOX_NOW": (NOW + timedelta(days=30)).isoformat(),
}


async def _leader_pid(conn: asyncpg.Connection) -> int | None:
    """The worker process holding the lead, from its lock connection's name."""
    name: str | None = await conn.fetchval(
        "SELECT a.application_name FROM pg_locks l JOIN pg_stat_activity a USING (pid) "
        "WHERE l.locktype = 'advisory' AND l.granted AND l.classid = $1 AND l.objid = $2 "
        "AND l.objsubid = 1", LEADER_LOCK >> 32, LEADER_LOCK & 0xFFFFFFFF)
    return int(name.rsplit(" ", 1)[1]) if name else None


async def _waiting_to_promote(conn: asyncpg.Connection, purpose_id: int) -> set[int]:
    """The backends whose promotion of the purpose waits on its lock (held by the test)."""
    rows = await conn.fetch(
        "SELECT pid FROM pg_locks WHERE locktype = 'advisory' AND NOT granted "
        "AND classid = $1 AND objid = $2 AND objsubid = 2", LOCK_NAMESPACE, purpose_id)
    return {row["pid"] for row in rows}


async def _says_it_leads(served: Served) -> bool:
    """Whether the worker that answered /readyz says it leads (either may answer)."""
    async with httpx.AsyncClient(timeout=5) as http:
        return bool((await http.get(f"{served.url}/readyz")).json()["leader"])


async def test_a_killed_leader_is_replaced_and_the_month_promoted_once(
        database_url: str, redis_url: str, redis_prefix: str, tmp_path: Path):
    env = {**ideabox_env(database_url, redis_url, redis_prefix, tmp_path / "data"),
           **SETTINGS}
    conn = await asyncpg.connect(database_url)
    blocker = await asyncpg.connect(database_url)
    try:
        purpose = await make_purpose(conn)
        await blocker.execute("SELECT pg_advisory_lock($1, $2)", LOCK_NAMESPACE, purpose.id)
        async with contextlib.AsyncExitStack() as stack:
            instances = [await stack.enter_async_context(
                serve(env, tmp_path / f"{n}.log", workers=2)) for n in range(3)]

            # One idea with two votes, cast in November.
            _, author = await make_user(conn)
            voters = [await make_user(conn) for _ in range(2)]
            async with httpx.AsyncClient(base_url=instances[1].url, timeout=30) as http:
                idea = (await post_idea(http, author, purpose.slug))["id"]
                await vote_as(http, [token for _, token in voters], idea)
            # Counted by whichever worker answered each vote, added up by whichever answers
            # the scrape (the scrape's own worker differs from one scrape to the next).
            for _ in range(4):
                assert await _metric(instances[1], "ideabox_votes_total",
                                     action="cast") == 2
            await backdate_idea(conn, idea, NOW)
            await backdate_votes(conn, idea, [user.id for user, _ in voters],
                                 NOW + timedelta(hours=1))

            async def leader() -> Served | None:
                pid = await _leader_pid(conn)
                return next((s for s in instances if not s.killed and pid in s.workers()),
                            None)

            await eventually(leader, timeout=30, what="a worker leads")
            first = await leader()
            assert first is not None
            # Only the leader runs the schedule: one promotion waits, not one per worker.
            await eventually(lambda: _waiting_to_promote(conn, purpose.id), timeout=30,
                             what="the leader's promotion waits for the month's lock")
            waiting = await _waiting_to_promote(conn, purpose.id)
            assert len(waiting) == 1, waiting
            await eventually(lambda: _says_it_leads(first), timeout=30,
                             what="/readyz of the leader's instance says it leads")
            for other in instances:
                if other is not first:
                    assert not await _says_it_leads(other)

            first.kill()
            survivors = [s for s in instances if s is not first]

            async def taken_over() -> bool:
                now_leading = await leader()
                return now_leading is not None and now_leading is not first

            await eventually(taken_over, timeout=30, what="a surviving worker takes the lead")
            second = await leader()
            assert second in survivors
            assert [await _metric(s, "ideabox_leader") for s in survivors] == \
                [float(s is second) for s in survivors]
            # The new leader's promotion waits too (beside the killed one's backend, which
            # PostgreSQL ends only once it gets the lock and finds its client gone).
            await eventually(lambda: _has_new_waiter(conn, purpose.id, waiting), timeout=30,
                             what="the new leader promotes the month")
            assert len(await _waiting_to_promote(conn, purpose.id)) <= 2

            await blocker.execute("SELECT pg_advisory_unlock($1, $2)", LOCK_NAMESPACE,
                                  purpose.id)

            async def promoted() -> bool:
                return bool(await conn.fetchval(
                    "SELECT count(*) FROM promotion_runs WHERE purpose_id = $1 "
                    "AND month = $2", purpose.id, NOVEMBER))

            await eventually(promoted, timeout=60, what="November is promoted")
            rows = await conn.fetch("SELECT idea_id, rank, votes_in_month FROM promotions "
                                    "WHERE purpose_id = $1 AND month = $2",
                                    purpose.id, NOVEMBER)
            assert [tuple(r) for r in rows] == [(idea, 1, 2)]
            assert await conn.fetchval(
                "SELECT count(*) FROM idea_status_changes WHERE idea_id = $1 "
                "AND to_status = 'promoted'", idea) == 1
            assert await conn.fetchval("SELECT status FROM ideas WHERE id = $1",
                                       idea) == "promoted"
            # The survivors go on answering, the leader among them.
            for served in survivors:
                assert await served.ready(), served.log()
    finally:
        await blocker.close()
        await conn.close()


async def _metric(served: Served, name: str, **labels: str) -> float:
    """A sample of ``served``'s /metrics (0 if absent)."""
    async with httpx.AsyncClient(timeout=5) as http:
        text = (await http.get(f"{served.url}/metrics")).text
    return next((sample.value for family in text_string_to_metric_families(text)
                 for sample in family.samples
                 if sample.name == name and sample.labels == labels), 0.0)


async def _has_new_waiter(conn: asyncpg.Connection, purpose_id: int,
                          before: set[int]) -> bool:
    return bool(await _waiting_to_promote(conn, purpose_id) - before)
