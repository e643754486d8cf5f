"""The rows of the monthly top-ideas export. The columns, their names and their order are
a public contract (API.md, "Exports"): case systems import them."""

from __future__ import annotations

from datetime import date, datetime
from typing import Literal

import msgspec

Format = Literal["csv", "csv-excel", "xlsx", "json"]


class ExportRow(msgspec.Struct):
    """One promoted idea. The field order is the column order of every format."""

    month: str
    purpose: str
    rank: int
    idea_id: int
    title: str
    author: str
    posted_at: datetime  # in the purpose's time zone
    votes_in_month: int
    total_votes: int
    comments: int
    status: str
    response: str | None
    url: str
    # The answer deadline (``ideabox.ideas.deadline``), in the purpose's time zone, and
    # whether it had passed unanswered when the export was made.
    answer_due: datetime | None
    answered_at: datetime | None
    overdue: bool
    # The slug of the purpose's category the idea is filed under (a retired one too), like
    # ``purpose``: it stays the same when the category is renamed.
    category: str | None
    # Posted for its author by staff (assisted participation). It stays the last column:
    # API.md orders the columns ..., answer_due, answered_at, overdue, category,
    # volunteers, assisted.
    assisted: bool


COLUMNS: tuple[str, ...] = ExportRow.__struct_fields__


class TopIdeas(msgspec.Struct):
    """The JSON export, for the OpenAPI description (it is written as a stream)."""

    items: list[ExportRow]


class ExportScope(msgspec.Struct, frozen=True):
    """What one export covers: a month, one purpose or all, and whether ideas hidden by a
    moderator since their promotion are included (only for those who may see them)."""

    month: date
    purpose_id: int | None
    purpose: str | None
    include_hidden: bool
    # The instant the idea's votes are counted at (``total_votes``): who is eligible then.
    now: datetime
