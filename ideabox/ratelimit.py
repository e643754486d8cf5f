"""Rate limits: fixed-window counters in Redis, in this process while Redis is down.

A window opens with the first request it counts and lasts ``window`` seconds; past the
limit the answer is 429 with the seconds left in it as ``Retry-After``.

Not Litestar's RateLimitMiddleware: middleware must identify a request before its body
is read and before we know who is signed in, so it cannot count per e-mail address or
per person; and its store does a get and then a set, so concurrent requests slip past
the limit together. Here each count is one INCR (atomic) with its EXPIRE, in a single
round trip, at the point where the identity is known.

A Redis outage must never block a sign-in or answer 500: the counters then live in the
worker's memory. Each worker counts on its own while Redis is down, so the limits are
looser by the number of workers for that time, and never tighter.
"""

from __future__ import annotations

import contextlib
import hashlib
import hmac
import logging
import math
import time
from collections.abc import AsyncIterator
from typing import Any

from litestar import Request

from ideabox.cache import Cache, CacheUnavailable
from ideabox.errors import TooManyRequests

log = logging.getLogger(__name__)

# A password-guessing run from many addresses must not exhaust this memory while Redis
# is down: past this many live counters the oldest are dropped (which only loosens).
_LOCAL_MAX = 100_000


class _LocalCounters:
    """Counters of this process, for while Redis is out of reach."""

    def __init__(self) -> None:
        self._counts: dict[str, tuple[float, int]] = {}

    def add(self, key: str, amount: int, window: int) -> tuple[int, float]:
        """Add to the counter; return its value and when its window ends."""
        now = time.time()
        expires_at, count = self._counts.get(key, (0.0, 0))
        if expires_at <= now:
            expires_at, count = now + window, 0
        self._counts[key] = (expires_at, count + amount)
        if len(self._counts) > _LOCAL_MAX:
            self._counts = {k: v for k, v in self._counts.items() if v[0] > now}
            while len(self._counts) > _LOCAL_MAX // 2:
                del self._counts[next(iter(self._counts))]
        return count + amount, expires_at


# Keys carry the deployment's Redis prefix, so one process's apps never share a count.
_local = _LocalCounters()


class Counted:
    """One request counted against a limit; ``undo`` takes it back (a good sign-in)."""

    def __init__(self, cache: Cache, key: str, window: int, expires_at: float,
                 in_redis: bool) -> None:
        self.cache = cache
        self.key = key
        self.window = window
        self.expires_at = expires_at
        self.in_redis = in_redis

    async def undo(self) -> None:
        if self.expires_at <= time.time():
            return  # the window is over; its count no longer matters
        if not self.in_redis:
            _local.add(self.key, -1, self.window)
            return
        try:
            await _add(self.cache, self.key, -1, self.window)
        except CacheUnavailable:
            # Redis went away since it counted: the attempt stays counted, which errs
            # on the side of the limit.
            log.info("could not take back a rate-limit count: redis unavailable")


# One script, so a count is one command (a MULTI pipeline costs several, and far more
# client time on the write path every signed-in request takes). The window starts with
# its first request: only a counter without an expiry gets one, so it can never be left
# without, whatever happened in between.
_ADD = """
local count = redis.call('INCRBY', KEYS[1], ARGV[1])
redis.call('EXPIRE', KEYS[1], ARGV[2], 'NX')
return {count, redis.call('TTL', KEYS[1])}
"""


async def _add(cache: Cache, key: str, amount: int, window: int) -> tuple[int, int]:
    """Add to the counter in one round trip; return its value and seconds left."""
    script = cache.script(_ADD)
    count, ttl = await cache.command(lambda r: script(keys=[key], args=[amount, window],
                                                      client=r))
    return int(count), int(ttl)


async def hit(cache: Cache, name: str, ident: str, *, limit: int, window: int) -> Counted:
    """Count one request of ``ident`` against ``limit`` per ``window`` seconds; past the
    limit, raise ``TooManyRequests`` saying when the window ends."""
    key = cache.key("ratelimit", name, ident)
    now = time.time()
    try:
        count, ttl = await _add(cache, key, 1, window)
        expires_at, in_redis = now + max(ttl, 1), True
    except CacheUnavailable:
        (count, expires_at), in_redis = _local.add(key, 1, window), False
    if count > limit:
        raise TooManyRequests("Too many attempts; try again later",
                              retry_after=math.ceil(expires_at - now))
    return Counted(cache, key, window, expires_at, in_redis)


def _private(request: Request[Any, Any, Any], value: str) -> str:
    # E-mail addresses are personal data; Redis needs only to tell them apart. Keyed with
    # the secret, so that whoever reads Redis cannot test addresses against the keys.
    secret = (request.app.state.settings.secret_key or "").encode()
    return hmac.new(secret, value.strip().lower().encode(), hashlib.sha256).hexdigest()[:32]


def _address(request: Request[Any, Any, Any]) -> str:
    address: str = request.app.state.client_address(request)
    return address


@contextlib.asynccontextmanager
async def signin_attempt(request: Request[Any, Any, Any], email: str) -> AsyncIterator[None]:
    """Guard one sign-in: every attempt counts per client address; per e-mail address
    only the failed ones do (counted up front, so parallel guesses cannot overtake the
    limit, and taken back when the sign-in succeeds)."""
    settings = request.app.state.settings
    cache: Cache = request.app.state.cache
    window = settings.signin_window_seconds
    await hit(cache, "signin-address", _address(request),
              limit=settings.signin_attempts_per_address, window=window)
    counted = await hit(cache, "signin-email", _private(request, email),
                        limit=settings.signin_attempts_per_email, window=window)
    yield
    await counted.undo()


async def signup(request: Request[Any, Any, Any]) -> None:
    """Count one sign-up against the client address's hourly allowance."""
    settings = request.app.state.settings
    await hit(request.app.state.cache, "signup", _address(request),
              limit=settings.signups_per_address, window=3600)


async def write(request: Request[Any, Any, Any], user_id: int) -> None:
    """Count one write (any unsafe request) by a signed-in person."""
    await hit(request.app.state.cache, "writes", str(user_id),
              limit=request.app.state.settings.writes_per_minute, window=60)
