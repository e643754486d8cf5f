"""A test that hangs ends the run at once, saying where it hung.

Without this, a test waiting forever (on a lock, a connection never released, a task
never finished) would hold the run until the outer time limit kills it, with nothing
printed but the tests before it. After ``IDEABOX_TEST_HANG_SECONDS`` (default 600) in
one test, this prints the test, the stack of every thread
and of every asyncio task of the suite's event loop, and exits the run with status 70.
The limit covers the test's set-up, call and tear-down together.
"""

from __future__ import annotations

import asyncio
import faulthandler
import os
import sys
import threading
import time
from collections.abc import AsyncIterator, Iterator

import pytest

_EXIT_STATUS = 70
_loop: asyncio.AbstractEventLoop | None = None


def _limit() -> float:
    return float(os.environ.get("IDEABOX_TEST_HANG_SECONDS", "600"))


@pytest.fixture(scope="session", autouse=True)
async def _watched_loop() -> AsyncIterator[None]:
    """Remember the suite's event loop, whose tasks a hang report shows."""
    global _loop
    _loop = asyncio.get_running_loop()
    yield
    _loop = None


def _report(item: pytest.Item, limit: float) -> None:
    capture = item.config.pluginmanager.getplugin("capturemanager")
    if capture is not None:
        capture.suspend_global_capture(in_=True)
    out = sys.__stderr__ or sys.stderr
    out.write(f"\n\n{item.nodeid}: still running after {limit:.0f} s\n")
    out.write("\n--- threads ---\n")
    out.flush()
    faulthandler.dump_traceback(file=out, all_threads=True)
    loop = _loop
    if loop is not None:
        out.write("\n--- asyncio tasks ---\n")
        # Read from this thread while the loop's thread waits: enough for a report.
        for attempt in range(3):
            try:
                tasks = list(asyncio.all_tasks(loop))
                break
            except RuntimeError:  # the set changed while it was read
                if attempt == 2:
                    tasks = []
        for task in tasks:
            out.write(f"\n{task!r}\n")
            task.print_stack(file=out)
    out.flush()
    os._exit(_EXIT_STATUS)


_running: tuple[pytest.Item, float] | None = None
"""The test under way and when it began (``time.monotonic()``)."""


def _watch(limit: float) -> None:
    # Polled with sleep: under libfaketime (the suite's calendar run) a timed wait on a
    # lock or event never returns, so a threading.Timer would never fire there.
    while True:
        time.sleep(1)
        running = _running
        if running is not None and time.monotonic() - running[1] > limit:
            _report(running[0], limit)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_protocol(item: pytest.Item, nextitem: pytest.Item | None) -> Iterator[None]:
    global _running
    if not any(thread.name == "test-watchdog" for thread in threading.enumerate()):
        threading.Thread(target=_watch, args=(_limit(),), name="test-watchdog",
                         daemon=True).start()
    _running = (item, time.monotonic())
    try:
        return (yield)
    finally:
        _running = None
