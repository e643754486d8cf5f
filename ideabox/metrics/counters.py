"""The metrics ideabox counts, and one function per thing counted.

``serve`` runs several worker processes, and Prometheus scrapes whichever one answers:
every worker writes its values into ``PROMETHEUS_MULTIPROC_DIR`` (prometheus_client's
multiprocess mode, set up by ``serve``: ``ideabox.metrics.multiprocess``) and a scrape
adds them up. That mode is chosen when a metric's first value is made, so each metric
is made on first use, in the worker, never at import (``serve`` imports this before it
sets the directory). Gauges say how they combine across workers (``multiprocess_mode``).
"""

from __future__ import annotations

import functools
import time

from prometheus_client import Counter, Gauge

NAMESPACE = "ideabox"


@functools.cache
def _votes() -> Counter:
    return Counter("votes", "Votes cast and retracted (action: cast, retracted).",
                   ["action"], namespace=NAMESPACE)


@functools.cache
def _fallbacks() -> Counter:
    return Counter("cache_fallbacks", "Reads answered from PostgreSQL because Redis was "
                   "unreachable or not believed.", namespace=NAMESPACE)


@functools.cache
def _rebuilds() -> Counter:
    return Counter("cache_rebuilds", "Complete rebuilds of the Redis vote cache from "
                   "PostgreSQL.", namespace=NAMESPACE)


@functools.cache
def _reconciled_at() -> Gauge:
    # The latest over all workers: the cluster's cache was last checked then.
    return Gauge("reconcile_last_success_timestamp_seconds", "When a cache check last "
                 "succeeded (Unix time).", namespace=NAMESPACE, multiprocess_mode="max")


@functools.cache
def _promotions() -> Counter:
    return Counter("promotion_runs", "Scheduled promotions of a purpose's month (outcome: "
                   "promoted, failed).", ["outcome"], namespace=NAMESPACE)


@functools.cache
def _pool() -> Gauge:
    # The busiest worker's pool: one saturated pool makes its requests wait.
    return Gauge("db_pool_saturation", "Share of the PostgreSQL pool's connections in use "
                 "(0 to 1), in the busiest worker.", namespace=NAMESPACE,
                 multiprocess_mode="livemax")


@functools.cache
def _leader() -> Gauge:
    return Gauge("leader", "1 if a worker of this process leads the shared background work.",
                 namespace=NAMESPACE, multiprocess_mode="livemax")


def vote_counted(cast: bool) -> None:
    """A vote was cast (or taken back) and committed."""
    _votes().labels("cast" if cast else "retracted").inc()


def cache_fell_back() -> None:
    """A read went to PostgreSQL because Redis could not be used."""
    _fallbacks().inc()


def cache_rebuilt() -> None:
    _rebuilds().inc()


def reconciled() -> None:
    """A round of the cache check ended without error."""
    _reconciled_at().set(time.time())


def promotion_ran(outcome: str) -> None:
    _promotions().labels(outcome).inc()


def pool_sampled(in_use: int, size: int) -> None:
    _pool().set(in_use / size if size else 0.0)


def leading_changed(leading: bool) -> None:
    _leader().set(1 if leading else 0)


def ensure_defined() -> None:
    """Make every metric now, so a scrape lists each one (at zero) before it first moves."""
    for labelled, values in ((_votes(), ("cast", "retracted")),
                             (_promotions(), ("promoted", "failed"))):
        for value in values:
            labelled.labels(value)
    _fallbacks()
    _rebuilds()
    _reconciled_at()
    _pool()
    _leader()
