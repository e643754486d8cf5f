"""The overview's figures: per month, for one purpose or for all of them."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

import msgspec

Format = Literal["csv", "csv-excel", "xlsx"]


class MonthFigures(msgspec.Struct):
    """One month's figures (see the README, "Overview", for what each counts)."""

    month: str  # YYYY-MM
    ideas: int
    votes: int
    comments: int
    participants: int
    residents: int
    staff: int
    verified: int
    unverified: int
    promotions: int
    answers: int
    median_days_to_answer: float | None
    overdue: int
    computed_at: datetime


class Overview(msgspec.Struct):
    """The months asked for, oldest first; ``as_of``: when the latest of them was counted
    (None: not counted yet)."""

    purpose: str | None
    timezone: str
    as_of: datetime | None
    months: list[MonthFigures]
