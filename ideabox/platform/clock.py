"""The one clock: every "now" in ideabox comes from here.

Which month it is, whether a month has ended, whether a session has expired, when a
vote was cast: all of it is asked of a ``Clock``, never of ``datetime.now()`` or of
PostgreSQL's ``now()`` (statements get the instant as a ``$n`` parameter). Production
runs on the system clock; tests hold a ``FrozenClock`` and move it themselves, so no
test expects anything that depends on the day it runs; ``IDEABOX_NOW`` starts a
process's clock at a chosen instant (a rehearsal of a month's end, a CLI test).

Timers (timeouts, rate-limit windows, cache lifetimes) measure durations, not dates,
and keep using ``time.monotonic()`` and ``time.time()``.
"""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta


class Clock:
    """Tells the time, as an aware UTC datetime."""

    def now(self) -> datetime:
        raise NotImplementedError


class SystemClock(Clock):
    """The machine's clock."""

    def now(self) -> datetime:
        return datetime.now(UTC)


class StartedClock(Clock):
    """A clock that reads ``start`` when it is made and runs on from there at the
    machine's pace (``IDEABOX_NOW``)."""

    def __init__(self, start: datetime) -> None:
        self._started = time.monotonic()
        self._start = start.astimezone(UTC)

    def now(self) -> datetime:
        return self._start + timedelta(seconds=time.monotonic() - self._started)


class FrozenClock(Clock):
    """A clock that stands still until it is told to move (tests)."""

    def __init__(self, at: datetime) -> None:
        self._at = _aware(at)

    def now(self) -> datetime:
        return self._at

    def set(self, at: datetime) -> None:
        self._at = _aware(at)

    def advance(self, by: timedelta) -> None:
        self._at += by


def _aware(moment: datetime) -> datetime:
    if moment.tzinfo is None:
        raise ValueError("a clock needs an aware datetime (with a time zone)")
    return moment.astimezone(UTC)


def clock_for(start: datetime | None) -> Clock:
    """The system clock, or one started at ``start`` (the ``IDEABOX_NOW`` setting)."""
    return SystemClock() if start is None else StartedClock(start)
