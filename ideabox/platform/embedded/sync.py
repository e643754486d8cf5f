"""Run a coroutine from synchronous code, whether or not an event loop is running here."""

from __future__ import annotations

import asyncio
import concurrent.futures
from collections.abc import Coroutine
from typing import Any, TypeVar

T = TypeVar("T")


def run_sync(coro: Coroutine[Any, Any, T]) -> T:
    # A fresh thread has no running loop, so asyncio.run works even when called from
    # inside async code (the test suite starts services from fixtures).
    with concurrent.futures.ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(asyncio.run, coro).result()
