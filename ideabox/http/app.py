"""The application factory: wiring only. Features bring their own routes and tasks."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator, Awaitable, Callable

from litestar import Litestar, Router
from litestar.datastructures import State
from litestar.middleware import DefineMiddleware
from litestar.openapi import OpenAPIConfig
from litestar.openapi.spec import Components, SecurityScheme
from litestar.plugins.htmx import HTMXConfig, HTMXPlugin
from litestar.types import ControllerRouterHandler

from ideabox import __version__
from ideabox.accounts import api as accounts_api
from ideabox.accounts import pages as accounts_pages
from ideabox.accounts.auth import extend_sign_in, resend_session_cookie
from ideabox.assisted import api as assisted_api
from ideabox.assisted import pages as assisted_pages
from ideabox.categories import api as categories_api
from ideabox.categories import pages as categories_pages
from ideabox.comments import api as comments_api
from ideabox.comments import pages as comments_pages
from ideabox.digest import api as digest_api
from ideabox.digest import pages as digest_pages
from ideabox.digest.service import digest_forever
from ideabox.election.elector import elector_for
from ideabox.exports import api as exports_api
from ideabox.exports import pages as exports_pages
from ideabox.feeds import pages as feeds_pages
from ideabox.http.api_docs import SwaggerPage
from ideabox.http.dependencies import DEPENDENCIES
from ideabox.http.errors import EXCEPTION_HANDLERS
from ideabox.http.health import healthz, readyz
from ideabox.http.json_only import json_bodies_only
from ideabox.http.lost_connections import LostConnectionMiddleware, recount_after_writes_in_doubt
from ideabox.http.openapi import ClosedStructsPlugin
from ideabox.http.pages.errors import negotiated
from ideabox.http.pages.routing import pages_router, static_router
from ideabox.http.pages.templating import template_config
from ideabox.http.request_id import RequestIdMiddleware
from ideabox.http.security import (
    ClientAddress,
    CSRFUnlessBearerMiddleware,
    SecurityHeadersMiddleware,
    csrf_config,
)
from ideabox.ideas import api as ideas_api
from ideabox.ideas import pages as ideas_pages
from ideabox.identity import api as identity_api
from ideabox.identity import pages as identity_pages
from ideabox.identity.oidc import pages as oidc_pages
from ideabox.metrics.counters import ensure_defined
from ideabox.metrics.http import (
    AllowedAddresses,
    MetricsController,
    prometheus_config,
    sample_pool_forever,
)
from ideabox.moderation import api as moderation_api
from ideabox.moderation import pages as moderation_pages
from ideabox.notifications import api as notifications_api
from ideabox.notifications import pages as notifications_pages
from ideabox.outcomes import api as outcomes_api
from ideabox.outcomes import pages as outcomes_pages
from ideabox.outcomes.reminders import remind_forever
from ideabox.overview import api as overview_api
from ideabox.overview import pages as overview_pages
from ideabox.overview.refresh import refresh_overview_forever
from ideabox.pictures import api as pictures_api
from ideabox.pictures import pages as pictures_pages
from ideabox.platform import logs
from ideabox.platform.clock import Clock
from ideabox.platform.db import CONNECTION_ERRORS
from ideabox.platform.migrations import MigrationError, migrate
from ideabox.platform.settings import Settings, load_settings, resolve_secret_key
from ideabox.promotion import api as promotion_api
from ideabox.promotion import pages as promotion_pages
from ideabox.promotion.scheduler import promote_forever
from ideabox.purposes import api as purposes_api
from ideabox.purposes import pages as purposes_pages
from ideabox.responses import api as responses_api
from ideabox.services import Services, open_services
from ideabox.votes import api as votes_api
from ideabox.votes import pages as votes_pages
from ideabox.votes.reconcile import reconcile_forever
from ideabox.webhooks import api as webhooks_api
from ideabox.webhooks import pages as webhooks_pages
from ideabox.webhooks.delivery import deliver_webhooks_forever

log = logging.getLogger(__name__)

BackgroundTask = Callable[[Services], Awaitable[None]]


def api_routes() -> list[ControllerRouterHandler]:
    """Every feature's JSON routes, mounted under /api/v1."""
    return [*accounts_api.routes, *purposes_api.routes, *ideas_api.routes, *votes_api.routes,
            *comments_api.routes, *promotion_api.routes, *responses_api.routes,
            *notifications_api.routes, *exports_api.routes, *moderation_api.routes,
            *identity_api.routes, *assisted_api.routes, *outcomes_api.routes,
            *overview_api.routes, *webhooks_api.routes, *categories_api.routes,
            *pictures_api.routes, *digest_api.routes]


def page_routes() -> list[ControllerRouterHandler]:
    """Every feature's HTML routes (under the HTML error pages and the CSRF rule of
    ``pages_router``), the feeds (public, cookie-free, beside the pages they follow),
    and the static files."""
    pages: list[ControllerRouterHandler] = [
        *purposes_pages.routes, *ideas_pages.routes, *votes_pages.routes,
        *comments_pages.routes, *accounts_pages.routes, *notifications_pages.routes,
        *promotion_pages.routes, *exports_pages.routes, *moderation_pages.routes,
        *identity_pages.routes, *oidc_pages.routes, *assisted_pages.routes,
        *outcomes_pages.routes, *overview_pages.routes, *webhooks_pages.routes,
        *categories_pages.routes, *pictures_pages.page_routes, *digest_pages.routes]
    return [pages_router(pages), *feeds_pages.routes, *pictures_pages.routes, static_router()]


def background_tasks() -> list[BackgroundTask]:
    """Long-running work one worker does for all, run by the elected leader when
    IDEABOX_BACKGROUND_TASKS is on (every round of it is safe to run twice, should two
    ever lead for a moment)."""
    return [promote_forever, remind_forever, refresh_overview_forever,
            deliver_webhooks_forever, digest_forever]


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
        route_handlers=[healthz, readyz, MetricsController, api, *page_routes()],
        dependencies=DEPENDENCIES,
        # JSON, but the HTML error page for browsers at an address no page route matched.
        exception_handlers=negotiated(EXCEPTION_HANDLERS),
        before_send=[resend_session_cookie],
        # A session or token in use is extended (at most hourly) after the answer is sent.
        after_response=extend_sign_in,
        template_config=template_config(),
        # htmx's request class only where pages are served (ideabox.http.pages.routing): the
        # JSON API has no use for it and pays for it on every request.
        plugins=[HTMXPlugin(HTMXConfig(set_request_class_globally=False)),
                 ClosedStructsPlugin()],
        lifespan=[_lifespan(clock)],
        state=State({"settings": settings, "client_address": client_address,
                     "metrics_allowed": AllowedAddresses(settings.metrics_allow)}),
        middleware=[
            # Outermost, so that a request's time is all of it.
            prometheus_config().middleware,
            DefineMiddleware(RequestIdMiddleware, log_access=settings.access_log),
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


Lifespan = Callable[[Litestar], contextlib.AbstractAsyncContextManager[None]]


def _lifespan(clock: Clock | None) -> Lifespan:
    @contextlib.asynccontextmanager
    async def lifespan(app: Litestar) -> AsyncIterator[None]:
        """The worker's services, open while it serves; its background tasks."""
        settings: Settings = app.state.settings
        async with open_services(settings, clock,
                                 statement_timeout=settings.statement_timeout) as services:
            app.state.services = services
            schema_ready = app.state.schema_ready = asyncio.Event()
            # The first four concern this worker alone; with IDEABOX_BACKGROUND_TASKS, the
            # worker checks the cache and stands for the lead of the work one does for all.
            tasks = [_run_forever("schema", lambda: _ensure_schema(services, schema_ready)),
                     _run_forever("recount", lambda: recount_after_writes_in_doubt(app.state)),
                     _run_forever("purposes", lambda: _after(
                         schema_ready, lambda: services.ideas.learn_purposes(services.pool)))]
            ensure_defined()
            tasks.append(_run_forever("pool sampling", lambda: sample_pool_forever(services)))
            app.state.elector = None
            if settings.background_tasks:
                elector = app.state.elector = elector_for(settings)
                # Whether to believe Redis is each worker's own judgement; the rebuilds
                # are the leader's.
                tasks += [_run_forever("reconcile", lambda: _after(
                              schema_ready, lambda: reconcile_forever(
                                  services, lambda: elector.leading))),
                          _run_forever("election", lambda: elector.campaign(
                              lambda: _elected(services, schema_ready)))]
            try:
                yield
            finally:
                for task in tasks:
                    task.cancel()
                await asyncio.gather(*tasks, return_exceptions=True)

    return lifespan


async def _elected(services: Services, ready: asyncio.Event) -> None:
    """The leader's work: every shared task, until the lead is lost (cancelled)."""
    tasks = [_shared(task, services, ready) for task in background_tasks()]
    try:
        await asyncio.gather(*tasks)
    finally:
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)


def _shared(task: BackgroundTask, services: Services,
            ready: asyncio.Event) -> asyncio.Task[None]:
    return _run_forever(task.__name__, lambda: _after(ready, lambda: task(services)))


async def _after(ready: asyncio.Event, start: Callable[[], Awaitable[None]]) -> None:
    """``start()`` once the schema is current (it reads tables the migrations make)."""
    await ready.wait()
    await start()


def _run_forever(name: str, start: Callable[[], Awaitable[None]]) -> asyncio.Task[None]:
    """Run ``start()`` as a task that is started again (after a pause) if it ever fails."""

    async def supervise() -> None:
        while True:
            try:
                await start()
                return
            except asyncio.CancelledError:
                raise
            except Exception:
                log.exception("background task %s failed; restarting it in 5 s", name)
                await asyncio.sleep(5)

    return asyncio.get_running_loop().create_task(supervise(), name=f"ideabox:{name}")


async def _ensure_schema(services: Services, ready: asyncio.Event) -> None:
    """Apply pending migrations once PostgreSQL answers; readiness waits for this."""
    delay = 0.2
    while True:
        try:
            async with services.pool.acquire() as conn:
                await migrate(conn)
        except CONNECTION_ERRORS as exc:
            log.warning("database not reachable, retrying: %s", exc)
            await asyncio.sleep(delay)
            delay = min(delay * 2, 5.0)
            continue
        except MigrationError:
            log.exception("migrations cannot be applied; the service stays not ready")
            return
        ready.set()
        return
