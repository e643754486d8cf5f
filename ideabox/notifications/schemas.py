"""Notifications, follows and notification settings as the API shows them."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

import msgspec

from ideabox.ideas.schemas import Status

# promoted, answered: told to author, voters and followers; hidden, unhidden: a
# moderator hid the idea or showed it again (or reports hid it), told to its author
# alone. kept, hidden, edit_requested, published, not_published: a moderator's decision
# in the queue about the author's idea or comment (comment_id), told to its author.
# due_soon, overdue: the answer to a promoted idea is due in a week, or is overdue, told
# to the administrators (the reminders of the answer deadline). reply, comment: someone
# replied to the person's comment (comment_id), or commented on their idea.
Kind = Literal["promoted", "answered", "hidden", "unhidden", "kept", "edit_requested",
               "published", "not_published", "due_soon", "overdue", "reply", "comment"]
Language = Literal["da", "en"]


class Notification(msgspec.Struct):
    id: int
    kind: Kind
    idea_id: int
    idea_title: str
    from_status: Status | None
    to_status: Status
    created_at: datetime
    read_at: datetime | None
    # The change's text: the administration's answer, or the moderator's reason.
    response: str | None = None
    # A decision about one of the idea's comments: that comment; a reply or comment: it.
    comment_id: int | None = None
    # A reminder's (due_soon, overdue) answer deadline; to_status is the idea's status.
    answer_due: datetime | None = None
    # A reply or comment: who wrote it.
    by_name: str | None = None


class NotificationPage(msgspec.Struct):
    """A page of notifications, newest first, and how many of all of them are unread."""

    items: list[Notification]
    next_cursor: str | None
    unread: int


class Unread(msgspec.Struct):
    unread: int


class Following(msgspec.Struct):
    idea_id: int
    following: bool


class NotificationSettings(msgspec.Struct, forbid_unknown_fields=True):
    """``email``: also send notifications by e-mail. ``language``: of those e-mails;
    null when not chosen (Danish is used)."""

    email: bool = True
    language: Language | None = None
