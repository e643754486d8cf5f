"""Servers of a fault test's own, which it may crash without harming any other test."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import asyncpg
import pytest

from ideabox.platform.embedded import EmbeddedPostgres, EmbeddedRedis
from ideabox.platform.migrations import migrate


@pytest.fixture
async def own_postgres(tmp_path: Path) -> AsyncIterator[EmbeddedPostgres]:
    """A PostgreSQL of this test's own, migrated; durable (fsync and synchronous commit
    on, unlike the suite's shared one), so that a crash loses what production would."""
    server = EmbeddedPostgres(tmp_path / "own-postgres")
    server.start()
    try:
        conn = await asyncpg.connect(server.url)
        try:
            await migrate(conn)
        finally:
            await conn.close()
        yield server
    finally:
        server.stop()


@pytest.fixture
def own_redis(tmp_path: Path) -> Iterator[EmbeddedRedis]:
    """A Redis of this test's own, which keeps a snapshot across a restart."""
    server = EmbeddedRedis(tmp_path / "own-redis", durable=True)
    server.start()
    try:
        yield server
    finally:
        server.stop()
