"""Purposes as the API reads and writes them."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

import msgspec

from ideabox.identity.eligibility import Eligibility
from ideabox.platform.validation import LINES, ONE_LINE

Audience = Literal["everyone", "residents", "staff"]
SLUG_PATTERN = r"^[a-z0-9]+(-[a-z0-9]+)*$"
Slug = Annotated[str, msgspec.Meta(pattern=SLUG_PATTERN, max_length=60,
                                   description="lower-case letters, digits and dashes")]
Title = Annotated[str, msgspec.Meta(min_length=3, max_length=140, extra_json_schema=ONE_LINE)]
Statement = Annotated[str, msgspec.Meta(min_length=1, max_length=5000,
                                        description="Markdown", extra_json_schema=LINES)]
TopN = Annotated[int, msgspec.Meta(ge=1, le=100)]
MinVotes = Annotated[int, msgspec.Meta(ge=0, le=1_000_000)]
TimeZone = Annotated[str, msgspec.Meta(max_length=64, examples=["Europe/Copenhagen"])]
AnswerWithinDays = Annotated[int, msgspec.Meta(
    ge=0, le=365, description="days the administration has to answer a promoted idea")]
ReportThreshold = Annotated[int, msgspec.Meta(
    ge=1, le=100, description="distinct reporters that hide an item pending review")]


class PurposeCreate(msgspec.Struct, forbid_unknown_fields=True):
    slug: Slug
    title: Title
    statement: Statement
    audience: Audience = "everyone"
    promote_top_n: TopN = 3
    min_votes: MinVotes = 1
    timezone: TimeZone = "Europe/Copenhagen"
    eligibility: Eligibility = "verified_email"
    answer_within_days: AnswerWithinDays = 30
    report_threshold: ReportThreshold = 3
    review_before_publishing: bool = False


class PurposeUpdate(msgspec.Struct, forbid_unknown_fields=True):
    """Only the fields given change. The slug is the purpose's address and never changes."""

    title: Title | msgspec.UnsetType = msgspec.UNSET
    statement: Statement | msgspec.UnsetType = msgspec.UNSET
    audience: Audience | msgspec.UnsetType = msgspec.UNSET
    promote_top_n: TopN | msgspec.UnsetType = msgspec.UNSET
    min_votes: MinVotes | msgspec.UnsetType = msgspec.UNSET
    timezone: TimeZone | msgspec.UnsetType = msgspec.UNSET
    eligibility: Eligibility | msgspec.UnsetType = msgspec.UNSET
    answer_within_days: AnswerWithinDays | msgspec.UnsetType = msgspec.UNSET
    report_threshold: ReportThreshold | msgspec.UnsetType = msgspec.UNSET
    review_before_publishing: bool | msgspec.UnsetType = msgspec.UNSET


class Purpose(msgspec.Struct):
    id: int
    slug: str
    title: str
    statement: str
    statement_html: str
    audience: Audience
    promote_top_n: int
    min_votes: int
    timezone: str
    idea_count: int
    created_at: datetime
    next_promotion_at: datetime
    # Who may vote, post and comment beyond the audience: people with a verified e-mail
    # address, or verified residents only (an OpenID provider's residence claim).
    eligibility: Eligibility = "verified_email"
    # The administration answers a promoted idea within this many days of its promotion.
    answer_within_days: int = 30
    # This many distinct reporters hide an idea or comment until a moderator decides.
    report_threshold: int = 3
    # New ideas wait for a moderator's approval before anyone else sees them.
    review_before_publishing: bool = False
