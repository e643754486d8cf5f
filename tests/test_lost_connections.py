"""A database connection lost in the middle of a request is a 503 with Retry-After, never
a 500, wherever it breaks; a read is first tried once more on a fresh connection.

The loss is real: the test holds a lock the request's statement waits for, finds that
backend in ``pg_stat_activity`` and ends it with ``pg_terminate_backend``, as an
administrator or a PostgreSQL restart would.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import AsyncIterator
from urllib.parse import urlsplit, urlunsplit

import asyncpg
import httpx
import msgspec
from asyncpg.exceptions import InterfaceError

from ideabox.http.app import create_app
from ideabox.platform.db import close_pool, create_pool, is_connection_loss
from tests.conftest import serving
from tests.exports.scenarios import MONTH, danish
from tests.factories import bearer, make_purpose, make_user, post_idea
from tests.faults.harness import CuttingProxy, eventually

_WAITING = """
SELECT pid FROM pg_stat_activity
WHERE datname = current_database() AND wait_event_type = 'Lock' AND pid <> pg_backend_pid()
  AND NOT pid = ANY($1::int[])
"""


@contextlib.asynccontextmanager
async def locked(database_url: str, table: str) -> AsyncIterator[None]:
    """``table`` locked against every statement of the app until the block ends."""
    conn = await asyncpg.connect(database_url)
    try:
        async with conn.transaction():
            await conn.execute(f"LOCK TABLE {table} IN ACCESS EXCLUSIVE MODE")
            yield
    finally:
        await conn.close()


async def end_the_waiting_backend(conn: asyncpg.Connection, ended: list[int]) -> int:
    """Terminate the next backend (not one of ``ended``) that waits for the lock.
    ``conn`` must not be in a transaction: pg_stat_activity stands still inside one."""
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        pid = await conn.fetchval(_WAITING, ended)
        if pid is not None:
            assert await conn.fetchval("SELECT pg_terminate_backend($1)", pid)
            ended.append(pid)
            return int(pid)
        await asyncio.sleep(0.01)  # polling pg_stat_activity for the request to arrive
    raise AssertionError("no request came to wait for the lock")


async def wait_for_a_waiting_backend(conn: asyncpg.Connection) -> None:
    await eventually(lambda: conn.fetchval(_WAITING, []), timeout=10,
                     what="a request waits for the lock")


def assert_503(response: httpx.Response) -> None:
    assert response.status_code == 503, response.text
    assert int(response.headers["retry-after"]) >= 1


async def test_a_lost_connection_in_the_token_lookup_is_a_503(client, db, database_url):
    purpose = await make_purpose(db)
    _, author = await make_user(db)
    idea = await post_idea(client, author, purpose.slug)
    _, voter = await make_user(db)
    async with locked(database_url, "auth_tokens"):
        vote = asyncio.create_task(client.put(f"/api/v1/ideas/{idea['id']}/vote",
                                              headers=bearer(voter)))
        await end_the_waiting_backend(db, [])
        response = await asyncio.wait_for(vote, 10)
    assert_503(response)
    assert response.json() == {"status_code": 503,
                               "detail": "The database is not available right now",
                               "extra": {"code": "unavailable"}}
    # A write is never repeated by the server: the vote was not made.
    assert await db.fetchval("SELECT count(*) FROM votes") == 0
    # The pool opened fresh connections: the next request works.
    again = await client.put(f"/api/v1/ideas/{idea['id']}/vote", headers=bearer(voter))
    assert again.status_code == 200, again.text


async def test_a_read_is_repeated_once_on_a_fresh_connection(client, db, database_url):
    _, token = await make_user(db)
    ended: list[int] = []
    async with locked(database_url, "auth_tokens"):
        me = asyncio.create_task(client.get("/api/v1/me", headers=bearer(token)))
        await end_the_waiting_backend(db, ended)
        # The read comes back on another connection and waits for the lock again.
        deadline = time.monotonic() + 10
        while (again := await db.fetchval(_WAITING, ended)) is None:
            assert time.monotonic() < deadline, "the read was not repeated"
            await asyncio.sleep(0.01)  # polling for the repeated request
    response = await asyncio.wait_for(me, 10)
    assert response.status_code == 200, response.text
    assert response.json()["id"] is not None
    assert again not in ended


async def test_a_read_lost_twice_is_a_503(client, db, database_url):
    _, token = await make_user(db)
    ended: list[int] = []
    async with locked(database_url, "auth_tokens"):
        me = asyncio.create_task(client.get("/api/v1/me", headers=bearer(token)))
        await end_the_waiting_backend(db, ended)
        await end_the_waiting_backend(db, ended)
        response = await asyncio.wait_for(me, 10)
    assert_503(response)
    assert response.json()["status_code"] == 503


async def test_a_page_whose_connection_is_lost_is_the_503_page(client, db, database_url):
    ended: list[int] = []
    async with locked(database_url, "purposes"):
        front = asyncio.create_task(client.get("/", headers={"Accept": "text/html"}))
        await end_the_waiting_backend(db, ended)
        await end_the_waiting_backend(db, ended)
        response = await asyncio.wait_for(front, 10)
    assert_503(response)
    assert response.headers["content-type"].startswith("text/html")
    assert "ikke tilgængelig" in response.text or "not available" in response.text


async def test_an_export_whose_connection_is_lost_before_it_starts_is_a_503(
        client, db, database_url):
    slug = await danish(client, db)
    _, staff = await make_user(db, role="staff")
    ended: list[int] = []
    # The rows are read on a connection of their own, while the request's is idle.
    async with locked(database_url, "promotions"):
        download = asyncio.create_task(client.get(
            "/api/v1/exports/top-ideas", headers=bearer(staff),
            params={"month": MONTH, "purpose": slug, "format": "csv"}))
        await end_the_waiting_backend(db, ended)
        await end_the_waiting_backend(db, ended)
        response = await asyncio.wait_for(download, 10)
    assert_503(response)
    assert response.json()["status_code"] == 503


def test_only_interface_errors_of_a_closed_connection_count_as_lost():
    lost = InterfaceError("cannot call Connection.fetchrow(): connection has been released "
                          "back to the pool")  # asyncpg's word for one lost mid-request
    assert is_connection_loss(lost)
    assert is_connection_loss(InterfaceError("cannot perform operation: connection is closed"))
    assert is_connection_loss(ExceptionGroup("clean-up", [lost, ConnectionResetError()]))
    # Misuse is a bug, a 500, whatever else comes with it.
    misuse = InterfaceError("cannot perform operation: another operation is in progress")
    assert not is_connection_loss(misuse)
    assert not is_connection_loss(ExceptionGroup("clean-up", [lost, misuse]))


async def test_a_vote_committed_as_its_connection_broke_is_counted(settings, db, database_url,
                                                                  tallies):
    """The vote commits, and the connection breaks before the answer: the client hears
    503 and the worker never told Redis. The recount after a lost write puts it right."""
    target = urlsplit(database_url)
    assert target.hostname and target.port
    async with CuttingProxy(target.hostname, target.port) as proxy:
        through_proxy = urlunsplit(target._replace(
            netloc=target.netloc.rsplit(":", 1)[0] + f":{proxy.port}"))
        # One connection, so the vote statement prepared by the first vote is the one the
        # second runs: it then waits for the lock at its execution, not its preparation.
        app = create_app(msgspec.structs.replace(settings, database_url=through_proxy,
                                                 db_pool_max=1))
        async with serving(app) as client:
            purpose = await make_purpose(db)
            _, author = await make_user(db)
            idea = (await post_idea(client, author, purpose.slug))["id"]
            _, first = await make_user(db)
            _, second = await make_user(db)
            path = f"/api/v1/ideas/{idea}/vote"
            assert (await client.put(path, headers=bearer(first))).json()["votes"] == 1
            async with locked(database_url, "votes"):
                vote = asyncio.create_task(client.put(path, headers=bearer(second)))
                await wait_for_a_waiting_backend(db)
                proxy.arm()
            response = await asyncio.wait_for(vote, 10)
            assert proxy.cut.is_set()
            assert_503(response)
            assert await db.fetchval("SELECT count(*) FROM votes WHERE idea_id = $1", idea) == 2

            async def counted() -> bool:
                tallies.cache.trusted = True
                found = await tallies.read([(purpose.id, idea, tallies.month(purpose.timezone))])
                return found[0] is not None and found[0].total == 2

            await eventually(counted, timeout=30, what="Redis counts the vote in doubt")
            assert (await client.get(f"/api/v1/ideas/{idea}")).json()["votes"] == 2


async def test_shutdown_cuts_a_connection_never_given_back(db, database_url):
    """Closing the pool waits for connections in use only so long: one stuck forever
    (here: taken and never released) is cut, and shutdown goes on."""
    pool = await create_pool(database_url, max_size=2)
    held = await pool.acquire()
    pid = await held.fetchval("SELECT pg_backend_pid()")
    await asyncio.wait_for(close_pool(pool, 0.2), 10)

    async def gone() -> bool:
        return not await db.fetchval("SELECT count(*) FROM pg_stat_activity WHERE pid = $1",
                                     pid)

    await eventually(gone, timeout=10, what="the held connection's backend ends")
