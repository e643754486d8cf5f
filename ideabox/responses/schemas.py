"""Responses and status history as the API reads and writes them."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

import msgspec

from ideabox.accounts.schemas import User
from ideabox.ideas.schemas import Status
from ideabox.platform.validation import LINES

Answer = Literal["under_review", "accepted", "implemented", "rejected"]
ResponseText = Annotated[str, msgspec.Meta(min_length=1, max_length=10_000,
                                           description="Markdown", extra_json_schema=LINES)]


class ResponseCreate(msgspec.Struct, forbid_unknown_fields=True):
    status: Answer
    response: ResponseText


class StatusChange(msgspec.Struct):
    """One entry of an idea's history: who (null: ideabox itself), when, what triggered
    it, the statuses before and after, and the public response if there was one."""

    id: int
    idea_id: int
    from_status: Status | None
    to_status: Status
    changed_by: User | None
    trigger: str
    created_at: datetime
    response: str | None
    response_html: str | None
