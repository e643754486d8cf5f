"""The migration runner: plain numbered ``.sql`` files in ``sql/``, applied in order.

Forward-only. Each file runs in its own transaction and is recorded in
``schema_migrations`` with a checksum of its text; a file edited after it was applied
is refused, never silently re-run. The whole run holds an advisory lock, so instances
starting together apply each file exactly once.
"""

from __future__ import annotations

import hashlib
import logging
import re
from pathlib import Path

import asyncpg
import msgspec

log = logging.getLogger(__name__)

# Arbitrary but fixed: every ideabox process agrees on it.
LOCK_KEY = 0x1DEAB0C5
NAME = re.compile(r"^(\d{4})_[a-z0-9_]+\.sql$")

_PACKAGE = Path(__file__).resolve().parents[1]


def default_dir() -> Path:
    """``sql/`` beside the package in a checkout, or inside it in an installed wheel."""
    for candidate in (_PACKAGE.parent / "sql", _PACKAGE / "sql"):
        if candidate.is_dir():
            return candidate
    raise MigrationError("no sql/ folder with migrations was found")


class MigrationError(Exception):
    """The migrations on disk and in the database disagree; the message says how."""


class Migration(msgspec.Struct, frozen=True):
    version: str
    checksum: str
    sql: str


def discover(directory: Path | None = None) -> list[Migration]:
    directory = directory or default_dir()
    found: list[Migration] = []
    numbers: dict[str, str] = {}
    for path in sorted(directory.glob("*.sql")):
        match = NAME.match(path.name)
        if not match:
            raise MigrationError(f"{path.name}: migration names look like 0001_what_it_does.sql")
        number = match.group(1)
        if number in numbers:
            raise MigrationError(f"{path.name} and {numbers[number]} share the number {number}")
        numbers[number] = path.name
        data = path.read_bytes()
        found.append(Migration(path.stem, hashlib.sha256(data).hexdigest(), data.decode()))
    return found


_HISTORY = """
CREATE TABLE IF NOT EXISTS schema_migrations (
    version    text PRIMARY KEY,
    checksum   text NOT NULL,
    applied_at timestamptz NOT NULL DEFAULT now()
)
"""


async def _applied(conn: asyncpg.Connection) -> dict[str, str]:
    exists = await conn.fetchval("SELECT to_regclass('schema_migrations') IS NOT NULL")
    if not exists:
        return {}
    rows = await conn.fetch("SELECT version, checksum FROM schema_migrations")
    return {row["version"]: row["checksum"] for row in rows}


def _check(applied: dict[str, str], migrations: list[Migration]) -> list[Migration]:
    """The migrations still to apply; raise if history and files disagree."""
    known = {m.version for m in migrations}
    unknown = sorted(set(applied) - known)
    if unknown:
        raise MigrationError(
            f"the database has migrations this version of ideabox does not know: "
            f"{', '.join(unknown)}; run a newer ideabox"
        )
    for migration in migrations:
        recorded = applied.get(migration.version)
        if recorded is not None and recorded != migration.checksum:
            raise MigrationError(
                f"{migration.version}.sql was edited after it was applied; migrations are "
                f"forward-only: restore it and add a new migration instead"
            )
    return [m for m in migrations if m.version not in applied]


async def pending(conn: asyncpg.Connection, directory: Path | None = None) -> list[str]:
    """Versions not yet applied (raises if an applied one was edited)."""
    return [m.version for m in _check(await _applied(conn), discover(directory))]


async def migrate(conn: asyncpg.Connection, directory: Path | None = None) -> list[str]:
    """Apply pending migrations under the advisory lock; return the versions applied."""
    migrations = discover(directory)
    await conn.execute("SELECT pg_advisory_lock($1)", LOCK_KEY)
    try:
        await conn.execute(_HISTORY)
        todo = _check(await _applied(conn), migrations)
        for migration in todo:
            async with conn.transaction():
                # A migration over a large table runs as long as it must, even on a
                # connection of the request pool (which cancels slow statements).
                await conn.execute("SET LOCAL statement_timeout = 0")
                await conn.execute(migration.sql)
                await conn.execute(
                    "INSERT INTO schema_migrations (version, checksum) VALUES ($1, $2)",
                    migration.version, migration.checksum,
                )
            log.info("applied migration %s", migration.version)
        return [m.version for m in todo]
    finally:
        await conn.execute("SELECT pg_advisory_unlock($1)", LOCK_KEY)


async def migrate_url(url: str, directory: Path | None = None) -> list[str]:
    conn = await asyncpg.connect(url, timeout=10)
    try:
        return await migrate(conn, directory)
    finally:
        await conn.close()
