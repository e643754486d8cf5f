"""What became of a purpose's promoted ideas, as the "What happened" page and its JSON
twin show it."""

from __future__ import annotations

from datetime import datetime

import msgspec

from ideabox.ideas.schemas import Status


class Figures(msgspec.Struct):
    """The figures of a month, or of all months. ``accepted`` and ``implemented`` count
    the ideas whose status is that now; ``median_days_to_answer`` is over the answered
    ideas (null when none is); ``overdue`` counts those overdue now."""

    promoted: int
    answered: int
    accepted: int
    implemented: int
    median_days_to_answer: float | None
    overdue: int


class Outcome(msgspec.Struct):
    """One promoted idea: its status now, its answer deadline, and how long the answer
    took (whole days; null while unanswered)."""

    idea_id: int
    title: str
    rank: int
    status: Status
    promoted_at: datetime | None
    answer_due: datetime | None
    answered_at: datetime | None
    days_taken: int | None
    overdue: bool


class MonthOutcomes(msgspec.Struct):
    month: str  # YYYY-MM, the month whose votes promoted the ideas
    figures: Figures
    items: list[Outcome]


class Outcomes(msgspec.Struct):
    """A purpose's promoted ideas by month, newest month first, and the figures of all."""

    purpose: str
    title: str
    timezone: str
    answer_within_days: int
    figures: Figures
    months: list[MonthOutcomes]
