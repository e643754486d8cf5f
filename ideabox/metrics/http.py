"""``/metrics``: Prometheus's view of ideabox, for the addresses allowed to see it.

Request rate and latency by route come from Litestar's Prometheus plugin (its
middleware, by route template); ideabox's own metrics are counted where things happen
(``ideabox.metrics.counters``), except what is cheapest read at scrape time: the webhook
backlog and the reconciler's lag.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Iterator
from typing import Any

from litestar import Request, Response, get
from litestar.connection import ASGIConnection
from litestar.exceptions import NotFoundException
from litestar.handlers.base import BaseRouteHandler
from litestar.plugins.prometheus import PrometheusConfig, PrometheusController
from prometheus_client import CONTENT_TYPE_LATEST, REGISTRY, CollectorRegistry, generate_latest
from prometheus_client.core import GaugeMetricFamily, Metric
from prometheus_client.multiprocess import MultiProcessCollector
from prometheus_client.registry import Collector

from ideabox.http.security import Networks
from ideabox.metrics import multiprocess
from ideabox.metrics.counters import NAMESPACE, pool_sampled
from ideabox.platform.db import CONNECTION_ERRORS
from ideabox.services import Services

log = logging.getLogger(__name__)

PATH = "/metrics"
# How often each worker notes how busy its pool is.
SAMPLE_SECONDS = 5.0
BACKLOG_TIMEOUT = 2.0
_RECONCILED = f"{NAMESPACE}_reconcile_last_success_timestamp_seconds"

# Answered from the partial index of pending deliveries (sql/0015_webhooks.sql).
_BACKLOG = "SELECT count(*) FROM webhook_deliveries WHERE status = 'pending'"


def prometheus_config() -> PrometheusConfig:
    """Requests counted and timed by route template (not by path: one series per route,
    not per idea), leaving out paths no route serves and the scrapes themselves."""
    return PrometheusConfig(app_name="ideabox", prefix=NAMESPACE, group_path=True,
                            exclude_unhandled_paths=True, exclude=[PATH])


class AllowedAddresses(Networks):
    """Whether a client may read the metrics: its address (as ``ClientAddress`` makes
    it out, behind trusted proxies) in IDEABOX_METRICS_ALLOW."""

    def __call__(self, address: str) -> bool:
        return address in self


def allowed_only(connection: ASGIConnection[Any, Any, Any, Any], _: BaseRouteHandler) -> None:
    """A guard: others get the 404 of an address no route serves (nothing to probe for)."""
    state = connection.app.state
    if not state.metrics_allowed(state.client_address(connection)):
        raise NotFoundException


class MetricsController(PrometheusController):
    path = PATH
    include_in_schema = False
    guards = [allowed_only]

    @get(include_in_schema=False, cache_control=None)
    async def get(self, request: Request[Any, Any, Any]) -> Response[bytes]:
        services: Services = request.app.state.services
        backlog = await _webhook_backlog(services)
        counted = _registry()
        read_now = CollectorRegistry()
        read_now.register(_ScrapeTime(counted, backlog))
        body = await asyncio.to_thread(lambda: generate_latest(counted) + generate_latest(read_now))
        return Response(body, media_type=CONTENT_TYPE_LATEST)


def _registry() -> CollectorRegistry:
    """Every worker's values (multiprocess mode), or this process's."""
    if not multiprocess.in_use():
        return REGISTRY
    multiprocess.forget_dead_workers()
    registry = CollectorRegistry()
    MultiProcessCollector(registry)  # type: ignore[no-untyped-call]
    return registry


async def _webhook_backlog(services: Services) -> float | None:
    try:
        async with asyncio.timeout(BACKLOG_TIMEOUT), services.pool.acquire() as conn:
            count: int = await conn.fetchval(_BACKLOG)
    except CONNECTION_ERRORS:
        return None  # left out of this scrape: absent, not zero
    return float(count)


class _ScrapeTime(Collector):
    """What is read when Prometheus asks: the backlog, and the lag behind the latest
    successful cache check of any worker."""

    def __init__(self, counted: CollectorRegistry, backlog: float | None) -> None:
        self._reconciled_at = counted.get_sample_value(_RECONCILED)
        self._backlog = backlog

    def collect(self) -> Iterator[Metric]:
        if self._backlog is not None:
            yield GaugeMetricFamily(f"{NAMESPACE}_webhook_backlog",
                                    "Webhook deliveries not yet delivered (pending).",
                                    value=self._backlog)
        if self._reconciled_at:
            yield GaugeMetricFamily(f"{NAMESPACE}_reconcile_lag_seconds",
                                    "Seconds since a cache check last succeeded.",
                                    value=max(0.0, time.time() - self._reconciled_at))


async def sample_pool_forever(services: Services) -> None:
    """Each worker notes how busy its pool is, every few seconds."""
    pool = services.pool
    while True:
        size = pool.get_max_size()
        pool_sampled(pool.get_size() - pool.get_idle_size(), size)
        await asyncio.sleep(SAMPLE_SECONDS)
