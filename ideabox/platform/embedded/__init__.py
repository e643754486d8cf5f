"""Zero-configuration PostgreSQL and Redis for installations that give no URLs.

Every ideabox command (``serve``, ``migrate``, ``promote`` …) uses the same instances,
whether or not another command is running: each process that needs them registers as a
user (a shared lock on a file in the data dir); the first starts them, the last to leave
stops them. Start and stop happen under an exclusive lock so two processes never race.
"""

from __future__ import annotations

import fcntl
import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO

import msgspec

from ideabox.platform.embedded.postgres import EmbeddedPostgres
from ideabox.platform.embedded.processes import EmbeddedError
from ideabox.platform.embedded.redis import EmbeddedRedis
from ideabox.platform.settings import Settings

__all__ = ["EmbeddedError", "EmbeddedPostgres", "EmbeddedRedis", "embedded_services"]


@contextmanager
def _locked(path: Path, mode: int) -> Iterator[IO[bytes]]:
    handle = path.open("ab")
    try:
        fcntl.flock(handle, mode)
        yield handle
    finally:
        handle.close()  # closing releases the lock


@contextmanager
def embedded_services(settings: Settings) -> Iterator[Settings]:
    """Start (or join) the embedded services the settings ask for; yield settings with URLs.

    With both URLs given this does nothing. On leaving, the last user stops the services.
    """
    if not (settings.embedded_postgres or settings.embedded_redis):
        yield settings
        return
    root = settings.data_dir.resolve()
    root.mkdir(parents=True, exist_ok=True)
    os.chmod(root, 0o700)
    postgres = EmbeddedPostgres(root) if settings.embedded_postgres else None
    cache = EmbeddedRedis(root) if settings.embedded_redis else None
    control = root / ".control.lock"
    users_file = root / ".users.lock"

    with _locked(control, fcntl.LOCK_EX):
        users = users_file.open("ab")
        fcntl.flock(users, fcntl.LOCK_SH)
        try:
            filled = settings
            if postgres is not None:
                filled = msgspec.structs.replace(filled, database_url=postgres.start())
            if cache is not None:
                filled = msgspec.structs.replace(filled, redis_url=cache.start())
        except BaseException:
            _leave(users, postgres, cache)
            raise
    try:
        yield filled
    finally:
        with _locked(control, fcntl.LOCK_EX):
            _leave(users, postgres, cache)


def _leave(users: IO[bytes], postgres: EmbeddedPostgres | None,
           cache: EmbeddedRedis | None) -> None:
    """Drop our registration; if nobody else is registered, stop the services."""
    fcntl.flock(users, fcntl.LOCK_UN)
    try:
        fcntl.flock(users, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        users.close()  # another ideabox process still uses them
        return
    try:
        if cache is not None:
            cache.stop()
        if postgres is not None:
            postgres.stop()
    finally:
        users.close()
