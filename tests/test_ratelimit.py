"""Fixed-window rate limits: atomic in a real Redis, in-process while Redis is away."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import pytest

from ideabox.http import ratelimit
from ideabox.platform.cache import Cache, create_client
from ideabox.platform.errors import TooManyRequests


@pytest.fixture
async def cache(redis_url: str, redis_prefix: str) -> AsyncIterator[Cache]:
    cache = Cache(create_client(redis_url, 0.25), redis_prefix)
    yield cache
    await cache.close()


@pytest.fixture
async def no_redis(redis_prefix: str) -> AsyncIterator[Cache]:
    # Nothing listens on port 1: every call fails at once, as in an outage.
    cache = Cache(create_client("redis://127.0.0.1:1/0", 0.25), redis_prefix)
    yield cache
    await cache.close()


async def _outcomes(cache: Cache, n: int, *, limit: int, ident: str = "x") -> list[bool]:
    async def one() -> bool:
        try:
            await ratelimit.hit(cache, "test", ident, limit=limit, window=60)
        except TooManyRequests:
            return False
        return True

    return list(await asyncio.gather(*(one() for _ in range(n))))


async def test_parallel_requests_cannot_overtake_the_limit(cache):
    outcomes = await _outcomes(cache, 20, limit=5)
    assert outcomes.count(True) == 5


async def test_the_counter_expires_with_its_window(cache):
    counted = await ratelimit.hit(cache, "test", "x", limit=5, window=60)
    assert counted.in_redis
    assert counted.key == f"{cache.prefix}:ratelimit:test:x"
    assert 58 <= await cache.client.ttl(counted.key) <= 60
    # Later requests do not push the end of the window back.
    await cache.client.expire(counted.key, 30)
    await ratelimit.hit(cache, "test", "x", limit=5, window=60)
    assert await cache.client.ttl(counted.key) <= 30


async def test_retry_after_is_the_rest_of_the_window(cache):
    await _outcomes(cache, 1, limit=1)
    with pytest.raises(TooManyRequests) as limited:
        await ratelimit.hit(cache, "test", "x", limit=1, window=60)
    assert 58 <= limited.value.retry_after <= 60


async def test_undo_gives_the_attempt_back(cache):
    counted = await ratelimit.hit(cache, "test", "x", limit=1, window=60)
    await counted.undo()
    await ratelimit.hit(cache, "test", "x", limit=1, window=60)
    with pytest.raises(TooManyRequests):
        await ratelimit.hit(cache, "test", "x", limit=1, window=60)


async def test_identities_are_counted_apart(cache):
    assert sorted(await _outcomes(cache, 2, limit=1, ident="a")) == [False, True]
    assert await _outcomes(cache, 1, limit=1, ident="b") == [True]


async def test_without_redis_the_limit_still_holds_in_process(no_redis):
    outcomes = await _outcomes(no_redis, 8, limit=3)
    assert outcomes.count(True) == 3
    counted = await ratelimit.hit(no_redis, "test", "other", limit=3, window=60)
    assert not counted.in_redis
    await counted.undo()
    assert (await _outcomes(no_redis, 3, limit=3, ident="other")).count(True) == 3


@pytest.mark.parametrize(("address", "counted"), [
    ("198.51.100.7", "198.51.100.7"),
    # An IPv6 subscriber is given a whole /64: stepping through it is one client.
    ("2001:db8:5:6::1", "2001:db8:5:6::/64"),
    ("2001:db8:5:6:ffff:ffff:ffff:ffff", "2001:db8:5:6::/64"),
    ("2001:DB8:5:6::1", "2001:db8:5:6::/64"),
    # An IPv4 client seen through an IPv6 socket is that IPv4 client.
    ("::ffff:198.51.100.7", "198.51.100.7"),
    ("unknown", "unknown"),
])
def test_clients_are_counted_by_address_and_ipv6_by_prefix(address, counted):
    assert ratelimit.counted_address(address) == counted
