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
import ipaddress
import logging
import math
import time
from collections.abc import AsyncIterator
from typing import Any

from litestar import Request

from ideabox.platform.cache import Cache, CacheUnavailable
from ideabox.platform.errors import TooManyRequests

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
        raise TooManyRequests("too_many_attempts",
                              retry_after=math.ceil(expires_at - now))
    return Counted(cache, key, window, expires_at, in_redis)


def _private(request: Request[Any, Any, Any], value: str) -> str:
    # E-mail addresses are personal data; Redis needs only to tell them apart. Keyed with
    # the secret, so that whoever reads Redis cannot test addresses against the keys.
    secret = (request.app.state.settings.secret_key or "").encode()
    return hmac.new(secret, value.strip().lower().encode(), hashlib.sha256).hexdigest()[:32]


def counted_address(address: str) -> str:
    """The client a per-address limit counts: an IPv4 address as it is, an IPv6 address
    by its /64, since one subscriber is given a whole /64 and can step through it."""
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return address  # "unknown", or a proxy's word that is no address
    if isinstance(ip, ipaddress.IPv6Address):
        if ip.ipv4_mapped is not None:
            return str(ip.ipv4_mapped)
        return str(ipaddress.IPv6Network((ip, 64), strict=False))
    return str(ip)


def _address(request: Request[Any, Any, Any]) -> str:
    return counted_address(request.app.state.client_address(request))


def signup_address(request: Request[Any, Any, Any]) -> bytes | None:
    """The client address an account is made from, as the moderators' signals keep it:
    an HMAC under the secret key of the address a limit counts (an IPv6 address by its
    /64), so that accounts from one address can be told apart from others without the
    address itself being stored (GDPR). None when the client gave no address."""
    counted = _address(request)
    try:
        ipaddress.ip_network(counted)
    except ValueError:
        return None
    secret = (request.app.state.settings.secret_key or "").encode()
    # Its own label, so that the value never equals a rate-limit key of the same input.
    return hmac.new(secret, b"signup-address\0" + counted.encode(), hashlib.sha256).digest()


async def _hit_all(cache: Cache, limits: list[tuple[str, str, int]], window: int
                   ) -> list[Counted]:
    """Count one request against each ``(name, ident, limit)`` in turn. A request one of
    them refuses is taken back from those before it: it was never an attempt, so the
    owner's own tries while a guessing run has the account closed do not add up."""
    counted: list[Counted] = []
    try:
        for name, ident, limit in limits:
            counted.append(await hit(cache, name, ident, limit=limit, window=window))
    except TooManyRequests:
        for done in counted:
            await done.undo()
        raise
    return counted


@contextlib.asynccontextmanager
async def signin_attempt(request: Request[Any, Any, Any], email: str) -> AsyncIterator[None]:
    """Guard one check of a password. Failed checks are counted per e-mail address from
    this client address (a small limit: that address must wait), per client address (one
    client trying many accounts) and per e-mail address alone (a much higher limit: a
    guessing run spread over many addresses). So a stranger elsewhere cannot lock the
    owner out with a handful of tries. Each is counted up front, so parallel guesses
    cannot overtake a limit, and taken back when the password was right: many good
    sign-ins from one address (a town hall, a library) never add up."""
    settings = request.app.state.settings
    address, account = _address(request), _private(request, email)
    counted = await _hit_all(request.app.state.services.cache, [
        ("signin-email-address", f"{account}:{address}",
         settings.signin_failures_per_email_and_address),
        ("signin-address", address, settings.signin_failures_per_address),
        ("signin-email", account, settings.signin_failures_per_email),
    ], settings.signin_window_seconds)
    yield
    for done in counted:
        await done.undo()


async def signup(request: Request[Any, Any, Any]) -> None:
    """Count one sign-up against the client address's hourly allowance."""
    settings = request.app.state.settings
    await hit(request.app.state.services.cache, "signup", _address(request),
              limit=settings.signups_per_address, window=3600)


# Confirmation mails a person may ask for in an hour: enough for a typo'd spam filter,
# too few to make ideabox mail somebody else's inbox full.
VERIFICATION_MAILS_PER_HOUR = 5


async def verification_mail(request: Request[Any, Any, Any], user_id: int) -> None:
    """Count one confirmation mail asked for by a person."""
    await hit(request.app.state.services.cache, "verification-mail", str(user_id),
              limit=VERIFICATION_MAILS_PER_HOUR, window=3600)


async def write(request: Request[Any, Any, Any], user_id: int) -> None:
    """Count one write (any unsafe request) by a signed-in person."""
    await hit(request.app.state.services.cache, "writes", str(user_id),
              limit=request.app.state.settings.writes_per_minute, window=60)
