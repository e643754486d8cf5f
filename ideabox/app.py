"""The application factory: wiring only. Features bring their own routes and tasks."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

from litestar import Litestar, Router
from litestar.datastructures import State
from litestar.di import Provide
from litestar.middleware import DefineMiddleware
from litestar.openapi import OpenAPIConfig
from litestar.openapi.spec import Components, SecurityScheme
from litestar.plugins.htmx import HTMXConfig, HTMXPlugin
from litestar.types import ControllerRouterHandler

from ideabox import __version__, logs
from ideabox.accounts.auth import provide_user, provide_viewer, resend_session_cookie
from ideabox.api_docs import SwaggerPage
from ideabox.cache import Cache, create_client
from ideabox.clock import Clock, clock_for
from ideabox.db import CONNECTION_ERRORS, create_pool, provide_db
from ideabox.health import healthz, readyz
from ideabox.http_errors import EXCEPTION_HANDLERS
from ideabox.json_only import json_bodies_only
from ideabox.lost_connections import LostConnectionMiddleware, recount_after_writes_in_doubt
from ideabox.migrations import MigrationError, migrate
from ideabox.openapi import ClosedStructsPlugin
from ideabox.security import (
    ClientAddress,
    CSRFUnlessBearerMiddleware,
    SecurityHeadersMiddleware,
    csrf_config,
)
from ideabox.settings import Settings, load_settings, resolve_secret_key
from ideabox.web.errors import negotiated
from ideabox.web.templating import template_config

log = logging.getLogger(__name__)

BackgroundTask = Callable[[State], Awaitable[None]]


def api_routes() -> list[ControllerRouterHandler]:
    """Every feature's JSON routes, mounted under /api/v1."""
    from ideabox.accounts.api import routes as accounts
    from ideabox.comments.api import routes as comments
    from ideabox.exports.api import routes as exports
    from ideabox.ideas.api import routes as ideas
    from ideabox.moderation.api import routes as moderation
    from ideabox.notifications.api import routes as notifications
    from ideabox.promotion.api import routes as promotion
    from ideabox.purposes.api import routes as purposes
    from ideabox.responses.api import routes as responses
    from ideabox.votes.api import routes as votes

    return [*accounts, *purposes, *ideas, *votes, *comments, *promotion, *responses,
            *notifications, *exports, *moderation]


def page_routes() -> list[ControllerRouterHandler]:
    """Every feature's HTML routes (under the HTML error pages and the CSRF rule of
    ``pages_router``), and the static files."""
    from ideabox.accounts.pages import routes as accounts
    from ideabox.comments.pages import routes as comments
    from ideabox.exports.pages import routes as exports
    from ideabox.ideas.pages import routes as ideas
    from ideabox.moderation.pages import routes as moderation
    from ideabox.notifications.pages import routes as notifications
    from ideabox.promotion.pages import routes as promotion
    from ideabox.purposes.pages import routes as purposes
    from ideabox.votes.pages import routes as votes
    from ideabox.web.admin import routes as admin
    from ideabox.web.routing import pages_router, static_router

    pages: list[ControllerRouterHandler] = [*purposes, *ideas, *votes, *comments, *accounts,
                                            *notifications, *promotion, *exports, *admin,
                                            *moderation]
    return [pages_router(pages), static_router()]


def background_tasks() -> list[BackgroundTask]:
    """Long-running tasks each worker runs when IDEABOX_BACKGROUND_TASKS is on."""
    from ideabox.ideas.documents import learn_purposes
    from ideabox.promotion.scheduler import promote_forever
    from ideabox.votes.reconcile import reconcile_forever

    return [learn_purposes, reconcile_forever, promote_forever]


def install_features(state: State) -> None:
    """Hooks features need on the shared state, here and in CLI commands alike."""
    from ideabox.votes.reconcile import install

    install(state)


def create_app(settings: Settings | None = None, clock: Clock | None = None) -> Litestar:
    """Build the app. Without settings, read them from the environment; the URLs must be
    set (``ideabox serve`` sets them after starting the embedded services). Without a
    clock, the system clock (or ``IDEABOX_NOW``)."""
    if settings is None:
        settings = load_settings()
        logs.configure(settings.log_level, settings.log_format)
    if settings.database_url is None or settings.redis_url is None:
        raise RuntimeError("create_app needs database and Redis URLs: start with `ideabox serve`")
    settings = resolve_secret_key(settings)

    api = Router("/api/v1", route_handlers=api_routes(), tags=None, guards=[json_bodies_only])
    client_address = ClientAddress(settings.trusted_proxies)

    return Litestar(
        route_handlers=[healthz, readyz, api, *page_routes()],
        dependencies={
            "db": Provide(provide_db),
            "viewer": Provide(provide_viewer),
            "user": Provide(provide_user),
        },
        # JSON, but the HTML error page for browsers at an address no page route matched.
        exception_handlers=negotiated(EXCEPTION_HANDLERS),
        before_send=[resend_session_cookie],
        template_config=template_config(),
        # htmx's request class only where pages are served (ideabox.web.routing): the
        # JSON API has no use for it and pays for it on every request.
        plugins=[HTMXPlugin(HTMXConfig(set_request_class_globally=False)),
                 ClosedStructsPlugin()],
        lifespan=[_lifespan],
        state=State({"settings": settings, "client_address": client_address,
                     "clock": clock or clock_for(settings.now)}),
        middleware=[
            DefineMiddleware(logs.RequestIdMiddleware, log_access=settings.access_log),
            DefineMiddleware(SecurityHeadersMiddleware, hsts=settings.secure_cookies),
            DefineMiddleware(CSRFUnlessBearerMiddleware, config=csrf_config(settings)),
            # Innermost, so that a read it repeats runs only the route again.
            LostConnectionMiddleware,
        ],
        openapi_config=OpenAPIConfig(
            title="ideabox",
            version=__version__,
            description="Crowd idea-voting for municipalities. Reading is public; writing "
                        "needs a bearer token from POST /api/v1/tokens.",
            path="/schema",
            render_plugins=[SwaggerPage()],
            components=Components(security_schemes={
                "BearerToken": SecurityScheme(type="http", scheme="bearer",
                                              description="A token from POST /api/v1/tokens"),
            }),
        ),
        logging_config=None,
        debug=False,
    )


@contextlib.asynccontextmanager
async def _lifespan(app: Litestar) -> AsyncIterator[None]:
    state = app.state
    settings: Settings = state.settings
    assert settings.database_url and settings.redis_url
    state.pool = await create_pool(settings.database_url, max_size=settings.db_pool_max,
                                   statement_timeout=settings.statement_timeout,
                                   timeout=settings.db_timeout)
    state.cache = Cache(create_client(settings.redis_url, settings.redis_timeout),
                        settings.redis_prefix)
    state.schema_ready = asyncio.Event()
    state.background = set()
    install_features(state)
    # Not background tasks another instance could run instead: both are about this one.
    tasks = [_run_forever("schema", _ensure_schema, state),
             _run_forever("recount", recount_after_writes_in_doubt, state)]
    if settings.background_tasks:
        tasks += [_run_forever(task.__name__, task, state) for task in background_tasks()]
    try:
        yield
    finally:
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, *state.background, return_exceptions=True)
        await state.cache.close()
        await state.pool.close()


def _run_forever(name: str, fn: BackgroundTask, state: State) -> asyncio.Task[None]:
    """Run ``fn`` as a task that is restarted (after a pause) if it ever fails."""

    async def supervise() -> None:
        while True:
            try:
                await fn(state)
                return
            except asyncio.CancelledError:
                raise
            except Exception:
                log.exception("background task %s failed; restarting it in 5 s", name)
                await asyncio.sleep(5)

    return asyncio.get_running_loop().create_task(supervise(), name=f"ideabox:{name}")


async def _ensure_schema(state: State) -> None:
    """Apply pending migrations once PostgreSQL answers; readiness waits for this."""
    delay = 0.2
    while True:
        try:
            async with state.pool.acquire() as conn:
                await migrate(conn)
        except CONNECTION_ERRORS as exc:
            log.warning("database not reachable, retrying: %s", exc)
            await asyncio.sleep(delay)
            delay = min(delay * 2, 5.0)
            continue
        except MigrationError:
            log.exception("migrations cannot be applied; the service stays not ready")
            return
        state.schema_ready.set()
        return


def spawn(state: State, coro: Awaitable[Any]) -> None:
    """Run ``coro`` in the background (after the response), keeping a reference until done."""
    task = asyncio.ensure_future(coro)
    state.background.add(task)
    task.add_done_callback(_finished)
    task.add_done_callback(state.background.discard)


def _finished(task: asyncio.Future[Any]) -> None:
    if not task.cancelled() and task.exception() is not None:
        log.error("background work failed", exc_info=task.exception())

