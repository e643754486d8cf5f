"""Moderation as the API reads and writes it."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

import msgspec

from ideabox.accounts.schemas import User
from ideabox.ideas.schemas import Status
from ideabox.platform.validation import LINES

Action = Literal["hide", "unhide", "delete_comment"]
ReasonText = Annotated[str, msgspec.Meta(
    min_length=1, max_length=1000,
    description="Why (Markdown). The idea's author is told; the public is not.",
    extra_json_schema=LINES)]


class ModerationReason(msgspec.Struct, forbid_unknown_fields=True):
    reason: ReasonText


class ModerationEntry(msgspec.Struct):
    """One moderator action: who, when, what (an idea, or a comment on it) and why.
    ``from_status`` and ``to_status`` are the idea's, for hiding and showing again."""

    id: int
    action: Action
    moderator: User
    created_at: datetime
    idea_id: int
    idea_title: str
    comment_id: int | None
    from_status: Status | None
    to_status: Status | None
    reason: str | None


class HiddenIdea(msgspec.Struct):
    """An idea hidden now: when, by whom, why, and the status it gets back when shown
    again (null only for an idea hidden outside ideabox, with no history of it)."""

    id: int
    purpose: str
    title: str
    author: User
    hidden_at: datetime
    hidden_by: User | None
    previous_status: Status | None
    reason: str | None
