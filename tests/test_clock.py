"""One clock: every "now" in ideabox comes from ``ideabox.platform.clock``."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from ideabox.platform.clock import FrozenClock, StartedClock, SystemClock, clock_for
from ideabox.platform.settings import SettingsError, load_settings

PACKAGE = Path(__file__).resolve().parents[1] / "ideabox"

# Ways to ask the machine or the database what time it is, other than through the clock.
# (time.time() and time.monotonic() measure durations — timeouts, rate-limit windows,
# cache lifetimes — and are allowed.)
_ELSEWHERE = re.compile(r"datetime\.now\(|datetime\.utcnow\(|date\.today\(|(?<![\w.])now\(\)"
                        r"|current_timestamp|current_date|localtimestamp|clock_timestamp",
                        re.IGNORECASE)


def test_nothing_asks_the_time_but_the_clock() -> None:
    found = []
    for path in sorted(PACKAGE.rglob("*.py")):
        if path.name == "clock.py" or path.name == "migrations.py":
            continue  # the clock itself; the migration history's own bookkeeping
        for number, line in enumerate(path.read_text().splitlines(), start=1):
            code = line.split("#", 1)[0]
            if _ELSEWHERE.search(code) and "``" not in code:
                found.append(f"{path.relative_to(PACKAGE)}:{number}: {line.strip()}")
    assert found == []


def test_a_frozen_clock_moves_only_when_told() -> None:
    clock = FrozenClock(datetime(2026, 11, 30, 23, 59, 59, tzinfo=UTC))
    assert clock.now() == clock.now() == datetime(2026, 11, 30, 23, 59, 59, tzinfo=UTC)
    clock.advance(timedelta(seconds=1))
    assert clock.now() == datetime(2026, 12, 1, tzinfo=UTC)
    with pytest.raises(ValueError, match="aware"):
        clock.set(datetime(2026, 12, 1))  # a naive time: which zone?


def test_a_started_clock_begins_at_its_instant_and_runs_on() -> None:
    start = datetime(2031, 6, 15, 12, 0, tzinfo=UTC)
    clock = StartedClock(start)
    first = clock.now()
    assert start <= first < start + timedelta(seconds=5)
    assert clock.now() >= first


def test_ideabox_now_starts_the_clock_there() -> None:
    settings = load_settings({"IDEABOX_NOW": "2026-11-30T23:55:00+01:00"})
    assert settings.now == datetime(2026, 11, 30, 22, 55, tzinfo=UTC)
    assert isinstance(clock_for(settings.now), StartedClock)
    assert isinstance(clock_for(None), SystemClock)
    with pytest.raises(SettingsError, match="IDEABOX_NOW"):
        load_settings({"IDEABOX_NOW": "2026-11-30T23:55:00"})  # which zone?
    with pytest.raises(SettingsError, match="IDEABOX_NOW"):
        load_settings({"IDEABOX_NOW": "tomorrow"})


async def test_postgres_lives_at_the_same_time_as_the_suite(db) -> None:
    """Run under libfaketime (``.ci/run`` runs the calendar tests years ahead), the suite's
    own PostgreSQL must be moved too, or the run would prove nothing about it."""
    # The one place a test asks the machine's time: to compare it with the server's.
    ours = datetime.now(UTC)
    theirs = await db.fetchval("SELECT statement_timestamp()")
    assert abs(theirs - ours) < timedelta(minutes=1), (theirs, ours)
