"""Test fixtures: real PostgreSQL and Redis, never mocks.

With IDEABOX_TEST_DATABASE_URL / IDEABOX_TEST_REDIS_URL set, the suite uses those
servers (the database URL's user must be allowed to create databases). Otherwise it
starts private embedded instances for the session, with durability off for speed.

Isolation: a template database is built once by running the migrations; each test
gets its own copy (CREATE DATABASE … TEMPLATE) and its own Redis key prefix.

Time: every test runs on a ``FrozenClock`` standing at ``NOW`` (the app, the CLI and the
services all read it), which a test moves itself; nothing a test expects depends on the
day it runs.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import os
import sys
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from datetime import datetime
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit
from zoneinfo import ZoneInfo

import asyncpg
import httpx
import pytest
import redis.asyncio as aioredis
from litestar import Litestar

from ideabox.http.app import create_app
from ideabox.platform.cache import Cache, create_client
from ideabox.platform.clock import FrozenClock
from ideabox.platform.embedded import EmbeddedPostgres, EmbeddedRedis
from ideabox.platform.migrations import migrate
from ideabox.platform.settings import Settings
from ideabox.services import Services, open_services
from ideabox.votes.reconcile import Reconciler
from ideabox.votes.tallies import Tallies
from tests.identity.providers import MockProvider, run_mock_provider

pytest_plugins = ["tests.watchdog"]

_counter = itertools.count(1)
SECRET = "test-secret-key-that-is-long-enough-0123456789"

NOW = datetime(2026, 11, 16, 10, 0, tzinfo=ZoneInfo("Europe/Copenhagen"))
"""Where every test's clock stands unless the test moves it: a Monday morning in the
middle of November 2026, in Copenhagen."""


def with_database(url: str, database: str) -> str:
    parts = urlsplit(url)
    return urlunsplit(parts._replace(path=f"/{database}"))


@pytest.fixture(scope="session")
def postgres_server_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A URL to a PostgreSQL server on which the suite may create databases."""
    given = os.environ.get("IDEABOX_TEST_DATABASE_URL")
    if given:
        yield given
        return
    server = EmbeddedPostgres(tmp_path_factory.mktemp("postgres"), durable=False)
    server.start()
    try:
        yield server.admin_url()
    finally:
        server.stop()


@pytest.fixture(scope="session")
def redis_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    given = os.environ.get("IDEABOX_TEST_REDIS_URL")
    if given:
        yield given
        return
    server = EmbeddedRedis(tmp_path_factory.mktemp("redis"), durable=False)
    server.start()
    try:
        yield server.url
    finally:
        server.stop()


@pytest.fixture(scope="session")
def oidc_mock() -> Iterator[MockProvider]:
    """The real ``oidc-provider-mock``, a process of its own for the whole session (the
    OpenID Connect tests and the browser's sign-in through a provider)."""
    with run_mock_provider() as provider:
        yield provider


@pytest.fixture(scope="session")
async def template_database(postgres_server_url: str) -> AsyncIterator[str]:
    """A database with every migration applied; each test copies it."""
    name = f"ideabox_template_{os.getpid()}"
    admin = await asyncpg.connect(postgres_server_url)
    try:
        await admin.execute(f'DROP DATABASE IF EXISTS "{name}"')
        await admin.execute(f'CREATE DATABASE "{name}"')
        conn = await asyncpg.connect(with_database(postgres_server_url, name))
        try:
            await migrate(conn)
        finally:
            await conn.close()
        yield name
    finally:
        await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        await admin.close()


@pytest.fixture
async def database_url(postgres_server_url: str, template_database: str) -> AsyncIterator[str]:
    """A fresh database for this test, copied from the migrated template."""
    name = f"ideabox_test_{os.getpid()}_{next(_counter)}"
    admin = await asyncpg.connect(postgres_server_url)
    try:
        await admin.execute(f'CREATE DATABASE "{name}" TEMPLATE "{template_database}"')
        yield with_database(postgres_server_url, name)
        await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    finally:
        await admin.close()


@pytest.fixture
async def redis_prefix(redis_url: str) -> AsyncIterator[str]:
    """A key prefix of this test's own; its keys are deleted afterwards."""
    prefix = f"test{os.getpid()}x{next(_counter)}"
    yield prefix
    client = aioredis.Redis.from_url(redis_url)
    try:
        keys = [key async for key in client.scan_iter(match=f"{prefix}:*", count=1000)]
        if keys:
            await client.delete(*keys)
    finally:
        await client.aclose()


@pytest.fixture
def settings(database_url: str, redis_url: str, redis_prefix: str, tmp_path: Path) -> Settings:
    return Settings(
        database_url=database_url,
        redis_url=redis_url,
        redis_prefix=redis_prefix,
        # A loaded test machine can take longer than production's quarter second to
        # answer a connect; a test about Redis failing stops the real server instead.
        redis_timeout=2.0,
        data_dir=tmp_path / "data",
        secret_key=SECRET,
        background_tasks=False,
        access_log=False,
        log_format="text",
    )


@pytest.fixture
def clock() -> FrozenClock:
    """This test's clock: the app, the CLI and the services read it; the test moves it."""
    return FrozenClock(NOW)


@pytest.fixture
def app(settings: Settings, clock: FrozenClock) -> Litestar:
    return create_app(settings, clock)


@contextlib.asynccontextmanager
async def serving(app: Litestar) -> AsyncIterator[httpx.AsyncClient]:
    """An HTTP client talking to ``app`` in this event loop, its lifespan running.

    (Litestar's own test client runs the app on another thread's loop, which would
    serialise the concurrent requests the vote tests need.)
    """
    async with running(app):
        # Start-up applies migrations in the background; wait for it, never sleep.
        await asyncio.wait_for(app.state.schema_ready.wait(), 30)
        # The reconciler (off in tests) is what makes Redis believed: run one round.
        await Reconciler(app.state.services).tick()
        assert app.state.services.cache.trusted
        transport = httpx.ASGITransport(app=app, client=("127.0.0.1", 50000))
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as http:
            yield http


@contextlib.asynccontextmanager
async def running(app: Litestar) -> AsyncIterator[None]:
    """The app's lifespan, entered and left in one task of its own: anyio's cancel scopes
    inside it must not see pytest-asyncio's fixture set-up and tear-down tasks."""
    started, stop = asyncio.Event(), asyncio.Event()

    async def hold() -> None:
        async with app.lifespan():
            started.set()
            await stop.wait()

    task = asyncio.create_task(hold())
    waiter = asyncio.create_task(started.wait())
    done, _ = await asyncio.wait({task, waiter}, return_when=asyncio.FIRST_COMPLETED)
    if task in done:
        waiter.cancel()
        task.result()  # start-up failed: raise its error
    try:
        yield
    finally:
        stop.set()
        await task


@pytest.fixture
async def client(app: Litestar) -> AsyncIterator[httpx.AsyncClient]:
    async with serving(app) as http:
        yield http


@pytest.fixture
async def services(settings: Settings, clock: FrozenClock) -> AsyncIterator[Services]:
    """Services over this test's database and Redis prefix, on its clock, for calling
    service functions directly (the app, when a test runs it, has its own)."""
    async with open_services(settings, clock) as opened:
        opened.cache.trusted = True
        yield opened


@pytest.fixture
async def db(database_url: str) -> AsyncIterator[asyncpg.Connection]:
    """A direct connection to this test's database, for checking what was written."""
    conn = await asyncpg.connect(database_url)
    try:
        yield conn
    finally:
        await conn.close()


@pytest.fixture
async def tallies(redis_url: str, redis_prefix: str,
                  clock: FrozenClock) -> AsyncIterator[Tallies]:
    """The vote tallies over this test's Redis prefix, for calling services directly."""
    cache = Cache(create_client(redis_url, 1.0), redis_prefix)
    cache.trusted = True
    try:
        yield Tallies(cache, clock)
    finally:
        await cache.close()


RunCli = Callable[..., Awaitable[tuple[int, str, str]]]


def ideabox_env(database_url: str, redis_url: str, redis_prefix: str,
                data_dir: Path) -> dict[str, str]:
    """The environment for an ``ideabox`` process of a test: these servers and prefix, and
    none of the IDEABOX_* variables of the shell that runs the tests."""
    return {
        **{k: v for k, v in os.environ.items() if not k.startswith("IDEABOX_")},
        "IDEABOX_DATABASE_URL": database_url,
        "IDEABOX_REDIS_URL": redis_url,
        "IDEABOX_REDIS_PREFIX": redis_prefix,
        "IDEABOX_SECRET_KEY": SECRET,
        "IDEABOX_DATA_DIR": str(data_dir),
        "IDEABOX_LOG_FORMAT": "text",
    }


@pytest.fixture
def run_cli(database_url: str, redis_url: str, redis_prefix: str, tmp_path: Path,
            clock: FrozenClock) -> RunCli:
    """Run the ``ideabox`` command as a real process against this test's database and
    Redis prefix, its clock started where the test's stands (``IDEABOX_NOW``); answers
    (exit code, stdout, stderr)."""
    env = ideabox_env(database_url, redis_url, redis_prefix, tmp_path / "data")

    async def run(*args: str, stdin: str = "") -> tuple[int, str, str]:
        process = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "ideabox", *args,
            env={**env, "IDEABOX_NOW": clock.now().isoformat()}, stdin=asyncio.subprocess.PIPE,
            stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE)
        out, err = await asyncio.wait_for(process.communicate(stdin.encode()), 120)
        assert process.returncode is not None
        return process.returncode, out.decode(), err.decode()

    return run
