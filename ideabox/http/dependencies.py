"""What routes may ask Litestar to inject, each under its own name (the types to ask
with are in ``ideabox.http.routing``). What a dependency does beyond providing its value
is said by its name:

- ``services``: the worker's ``Services``.
- ``db``: the request's connection; for unsafe methods in one transaction that commits
  when the route returns and rolls back when it raises. A controller whose writes are
  each one SQL statement (atomic by itself) declares ``dependencies=ONE_STATEMENT``:
  its ``db`` has no transaction, which spares two round trips (BEGIN and COMMIT).
- ``viewer``: the signed-in person, or None; ``user``: the signed-in person (401 if
  nobody is).
- ``writer``: the signed-in person, whose write this request is: it counts against
  their allowance of writes per minute (429 past it).
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import AsyncGenerator, AsyncIterator
from typing import Any

from litestar import Request
from litestar.datastructures import State
from litestar.di import NamedDependency, Provide

from ideabox.accounts.auth import carries_credentials, viewer_from_request
from ideabox.accounts.schemas import Viewer
from ideabox.http import ratelimit
from ideabox.platform.db import SAFE_METHODS, Db, acquire, is_connection_loss
from ideabox.platform.errors import Unauthorized
from ideabox.services import Services

log = logging.getLogger(__name__)

AnyRequest = Request[Any, Any, Any]


def provide_services(state: State) -> Services:
    services: Services = state.services
    return services


@contextlib.asynccontextmanager
async def connection(services: Services) -> AsyncIterator[Db]:
    """A connection (no transaction) for a route that may not need one at all (answered
    from the cache), taken only when it does; 503 when PostgreSQL is out of reach."""
    conn = await acquire(services.pool, services.settings.db_timeout)
    try:
        yield Db(conn, services.now())
    finally:
        await services.pool.release(conn)


async def provide_db(request: AnyRequest, services: NamedDependency[Services],
                     ) -> AsyncGenerator[Db, None]:
    """The request's connection, in a transaction for unsafe methods.

    A connection lost on the way is not caught here: it reaches the app's exception
    handlers as it is (``ideabox.http.errors`` answers 503 for it). An error raised here
    in its place would reach them wrapped in an ExceptionGroup by Litestar's clean-up of
    dependencies.
    """
    conn = await acquire(services.pool, services.settings.db_timeout)
    db = Db(conn, services.now())
    try:
        if request.method not in SAFE_METHODS:
            await db.begin()
        try:
            yield db
        except BaseException:
            try:
                await db.rollback()
            except Exception as exc:
                if not is_connection_loss(exc):
                    raise
                log.warning("rollback failed: the connection is gone: %r", exc)
            raise
        await db.commit()
    finally:
        await services.pool.release(conn)


async def provide_one_statement_db(services: NamedDependency[Services],
                                   ) -> AsyncGenerator[Db, None]:
    """The request's connection with no transaction: each statement commits by itself."""
    async with connection(services) as db:
        yield db


ONE_STATEMENT = {"db": Provide(provide_one_statement_db)}
"""For a controller's ``dependencies``: its routes' writes are one statement each."""


async def provide_viewer(request: AnyRequest, db: NamedDependency[Db]) -> Viewer | None:
    """The signed-in person, or None; looked up on the request's connection."""
    if not carries_credentials(request):
        return None
    return await viewer_from_request(request, db)


async def provide_user(viewer: NamedDependency[Viewer | None]) -> Viewer:
    """The signed-in person; 401 when nobody is signed in."""
    if viewer is None:
        raise Unauthorized("sign_in_needed")
    return viewer


async def provide_writer(request: AnyRequest, user: NamedDependency[Viewer]) -> Viewer:
    """The signed-in person, with this request counted against their writes per minute
    (429 past the allowance)."""
    await ratelimit.write(request, user.id)
    return user


DEPENDENCIES = {
    "services": Provide(provide_services, sync_to_thread=False),
    "db": Provide(provide_db),
    "viewer": Provide(provide_viewer),
    "user": Provide(provide_user),
    "writer": Provide(provide_writer),
}
