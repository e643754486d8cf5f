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


# Signals: bursts of new accounts voting alike, and holding their votes out of the count.

BurstKind = Literal["address", "window"]
HoldAction = Literal["hold_votes", "release_votes"]
MAX_ID = 2**63 - 1
AccountIds = Annotated[
    list[Annotated[int, msgspec.Meta(ge=1, le=MAX_ID)]],
    msgspec.Meta(min_length=1, max_length=500,
                 description="The accounts' ids (1-500 of them); an id named twice counts once")]
HoldReason = Annotated[str, msgspec.Meta(
    min_length=1, max_length=1000,
    description="Why (plain text, 1-1,000 characters); moderators read it in the log",
    extra_json_schema=LINES)]


class BurstAccount(msgspec.Struct):
    id: int
    display_name: str
    created_at: datetime
    held: bool  # its votes are held out of the count now


class BurstIdea(msgspec.Struct):
    id: int
    title: str
    status: Status
    voters: int  # how many of the burst's accounts voted for it


class Burst(msgspec.Struct):
    """Accounts made from one client address (``address``), or many made within a short
    while (``window``), that voted for the same ideas: the accounts, oldest first, and
    the ideas they have in common, the most shared first."""

    kind: BurstKind
    first_created_at: datetime
    last_created_at: datetime
    accounts: list[BurstAccount]
    ideas: list[BurstIdea]


class VoteHoldChange(msgspec.Struct, forbid_unknown_fields=True):
    """Hold the votes of these accounts out of the count pending review, or release them."""

    user_ids: AccountIds
    reason: HoldReason


class VoteHoldResult(msgspec.Struct):
    """Which of the accounts named were held (or released) now, and which were so already
    (or were not held)."""

    changed: list[int]
    unchanged: list[int]


class VoteHold(msgspec.Struct):
    """The votes of an account held out of the count now: since when, by whom and why."""

    id: int
    account: User
    account_created_at: datetime
    held_by: User
    held_at: datetime
    reason: str


class HoldDecision(msgspec.Struct):
    """A moderator held or released an account's votes: who, whose, when and why."""

    id: int
    action: HoldAction
    moderator: User
    account: User
    created_at: datetime
    reason: str | None
