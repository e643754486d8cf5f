"""The answer deadline ("Svarfrist") of a promoted idea, in one place.

A promoted idea is answered in public within its purpose's ``answer_within_days`` of its
promotion. The definitions (README, "The answer deadline") are shared by the idea's JSON,
the exports, the "What happened" page and the reminders:

- ``promoted_at``: when the idea's status changed to ``promoted``;
- ``answered_at``: the first public response (a status change with trigger ``response``);
- ``answer_due``: ``promoted_at`` plus ``answer_within_days`` days, as the purpose says now;
- ``overdue``: not answered, and ``answer_due`` has passed;
- days taken: whole days from ``promoted_at`` to ``answered_at``.
"""

from __future__ import annotations

from datetime import datetime, timedelta

import msgspec


class Deadline(msgspec.Struct, frozen=True):
    promoted_at: datetime | None
    answer_due: datetime | None
    answered_at: datetime | None
    overdue: bool


NOT_PROMOTED = Deadline(promoted_at=None, answer_due=None, answered_at=None, overdue=False)


def answer_due(promoted_at: datetime, answer_within_days: int) -> datetime:
    return promoted_at + timedelta(days=answer_within_days)


def is_overdue(due: datetime | None, answered_at: datetime | None, now: datetime) -> bool:
    return due is not None and answered_at is None and due < now


def deadline(promoted_at: datetime | None, answer_within_days: int,
             answered_at: datetime | None, now: datetime) -> Deadline:
    """The deadline of an idea promoted at ``promoted_at`` (None: never), at ``now``."""
    if promoted_at is None:
        return NOT_PROMOTED
    due = answer_due(promoted_at, answer_within_days)
    return Deadline(promoted_at=promoted_at, answer_due=due, answered_at=answered_at,
                    overdue=is_overdue(due, answered_at, now))


def days_between(start: datetime, end: datetime) -> int:
    """Whole days from ``start`` to ``end`` (a part-day does not count)."""
    return (end - start) // timedelta(days=1)
