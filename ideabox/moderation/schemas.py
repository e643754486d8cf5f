"""Moderation as the API reads and writes it."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

import msgspec

from ideabox.accounts.schemas import User
from ideabox.ideas.schemas import Status
from ideabox.platform.validation import LINES

Action = Literal["hide", "unhide", "delete_comment", "keep", "edit_request", "approve",
                 "reject"]
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
    # The queue's case this action decided (``keep``, ``hide``, ``edit_request``,
    # ``approve``, ``reject``), or null.
    case_id: int | None = None


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


# Reports by residents, and the moderators' queue.

ReportReason = Literal["spam", "offensive", "personal_data", "off_topic", "other"]
CaseKind = Literal["reports", "second_look", "review"]
Decision = Literal["keep", "hide", "edit_request", "approve", "reject"]
ReportText = Annotated[str, msgspec.Meta(
    max_length=1000, description="What is wrong, in the reporter's words (plain text, up to "
                                 "1,000 characters); moderators read it",
    extra_json_schema=LINES)]
Message = Annotated[str, msgspec.Meta(
    max_length=1000, description="Why the moderators should look again (plain text, up to "
                                 "1,000 characters)",
    extra_json_schema=LINES)]
DecisionReason = Annotated[str, msgspec.Meta(
    min_length=1, max_length=1000,
    description="Why (plain text, 1-1,000 characters); the author is told. For "
                "``edit_request``: what to change.",
    extra_json_schema=LINES)]


class ReportCreate(msgspec.Struct, forbid_unknown_fields=True):
    reason: ReportReason
    text: ReportText | None = None


class Report(msgspec.Struct):
    """A report as its reporter and the moderators see it. ``hidden``: the item is hidden
    pending review now (this report may have been the one that reached the threshold)."""

    id: int
    idea_id: int
    comment_id: int | None
    reason: ReportReason
    text: str | None
    created_at: datetime
    hidden: bool


class CaseReport(msgspec.Struct):
    """One report in a case; the reporter is not named, even to moderators."""

    reason: ReportReason
    text: str | None
    created_at: datetime


class Case(msgspec.Struct):
    """One case of the moderators' queue: an item reported (``reports``), an item whose
    author asked for a second look (``second_look``, with their ``message``), or an idea
    waiting for review before it is published (``review``). ``comment_id`` is null when
    the case is about the idea itself; ``text`` is the item's text (the comment's body,
    or the idea's). ``hidden``: the item is hidden now. ``reporters``: distinct people
    who reported it since the last decision. Closed cases carry the ``decision``, who
    made it and why."""

    id: int
    kind: CaseKind
    idea_id: int
    idea_title: str
    idea_status: Status
    comment_id: int | None
    text: str
    author: User | None
    hidden: bool
    opened_at: datetime
    reporters: int
    reports: list[CaseReport]
    message: str | None
    closed_at: datetime | None
    decision: Decision | None
    decided_by: User | None
    reason: str | None


class CaseDecision(msgspec.Struct, forbid_unknown_fields=True):
    """``keep`` shows the item again and closes its reports; ``hide`` keeps it hidden (or
    hides it); ``edit_request`` shows it again and asks its author to change what
    ``reason`` says. A ``review`` case takes ``approve`` (publish) or ``reject`` (hidden,
    the author told why)."""

    decision: Decision
    reason: DecisionReason


class SecondLookRequest(msgspec.Struct, forbid_unknown_fields=True):
    message: Message | None = None

