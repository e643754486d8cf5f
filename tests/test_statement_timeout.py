"""A request's statement that runs too long is cancelled by PostgreSQL and answered 503
with Retry-After, never 500; work that is long by nature is not cut short."""

from __future__ import annotations

import asyncio

import asyncpg
import httpx
import msgspec
import pytest
from litestar import Litestar

from ideabox.http.app import create_app
from ideabox.platform.clock import FrozenClock
from ideabox.platform.settings import Settings
from ideabox.promotion.service import LOCK_NAMESPACE
from tests.conftest import serving
from tests.factories import bearer, make_purpose, make_user
from tests.faults.harness import eventually


@pytest.fixture
async def impatient(settings: Settings, clock: FrozenClock):
    """The app with a statement timeout of a tenth of a second."""
    app = create_app(msgspec.structs.replace(settings, statement_timeout=0.1), clock)
    async with serving(app) as client:
        yield app, client



async def test_a_statement_that_runs_too_long_is_a_503(
        impatient: tuple[Litestar, httpx.AsyncClient], db: asyncpg.Connection) -> None:
    app, client = impatient
    purpose = await make_purpose(db, slug="langsom")
    # A slug whose lookup sleeps: the purposes table is locked by another transaction.
    holder = await asyncpg.connect(str(app.state.settings.database_url))
    try:
        tx = holder.transaction()
        await tx.start()
        await holder.execute("LOCK TABLE purposes IN ACCESS EXCLUSIVE MODE")
        api = await client.get(f"/api/v1/purposes/{purpose.slug}")
        page = await client.get(f"/purposes/{purpose.slug}",
                                headers={"accept": "text/html"})
        await tx.rollback()
    finally:
        await holder.close()
    assert api.status_code == 503, api.text
    assert api.headers["retry-after"].isdigit()
    assert api.json()["detail"].startswith("The database took too long")
    assert page.status_code == 503
    assert "text/html" in page.headers["content-type"]
    # And once the statement is quick again, so is the answer.
    assert (await client.get(f"/api/v1/purposes/{purpose.slug}")).status_code == 200


async def test_a_promotion_takes_as_long_as_it_must(
        impatient: tuple[Litestar, httpx.AsyncClient], db: asyncpg.Connection) -> None:
    """The month's promotion waits for another instance promoting it (its lock) far
    longer than a request's statement may run, and then answers."""
    app, client = impatient
    purpose = await make_purpose(db, slug="taalmodig")
    _, admin = await make_user(db, role="admin")
    holder = await asyncpg.connect(str(app.state.settings.database_url))
    try:
        tx = holder.transaction()
        await tx.start()
        await holder.execute("SELECT pg_advisory_xact_lock($1, $2)", LOCK_NAMESPACE,
                             purpose.id)
        promoting = asyncio.create_task(client.post(
            f"/api/v1/purposes/{purpose.slug}/promotions", json={"month": "2026-10"},
            headers=bearer(admin)))

        async def waited_long() -> bool:
            # Three times the statement timeout, and still waiting, not cancelled.
            return bool(await db.fetchval(
                "SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock' "
                "AND datname = current_database() "
                "AND clock_timestamp() - query_start > interval '0.3 seconds'"))

        await eventually(waited_long, timeout=10, what="the promotion waits for the lock")
        assert not promoting.done()
        await tx.rollback()
    finally:
        await holder.close()
    answer = await promoting
    assert answer.status_code == 200, answer.text
