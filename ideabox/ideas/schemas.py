"""Ideas as the API reads and writes them."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

import msgspec

from ideabox.accounts.schemas import User
from ideabox.assisted.schemas import OnBehalfOf
from ideabox.categories.schemas import CategoryChoice, IdeaCategory
from ideabox.pictures.schemas import Picture
from ideabox.platform.validation import LINES, ONE_LINE

Status = Literal["pending_review", "open", "promoted", "under_review", "accepted",
                 "implemented", "rejected", "withdrawn", "hidden"]
# Ideas awaiting review, withdrawn and hidden ideas are never listed, so a list is never
# asked for them.
ListedStatus = Literal["open", "promoted", "under_review", "accepted", "implemented",
                       "rejected"]
Sort = Literal["top_month", "top", "hot", "new"]

Title = Annotated[str, msgspec.Meta(min_length=5, max_length=140, extra_json_schema=ONE_LINE)]
Body = Annotated[str, msgspec.Meta(min_length=1, max_length=10_000, description="Markdown",
                                   extra_json_schema=LINES)]


class IdeaCreate(msgspec.Struct, forbid_unknown_fields=True):
    title: Title
    body: Body
    on_behalf_of: OnBehalfOf | None = None
    # One of the purpose's categories, by its slug (``GET …/categories``); none if null.
    category: CategoryChoice | None = None


class IdeaUpdate(msgspec.Struct, forbid_unknown_fields=True):
    """Only the fields given change."""

    title: Title | msgspec.UnsetType = msgspec.UNSET
    body: Body | msgspec.UnsetType = msgspec.UNSET
    # A category's slug, or null (or "") for none.
    category: CategoryChoice | msgspec.UnsetType | None = msgspec.UNSET


class Idea(msgspec.Struct):
    id: int
    purpose: str
    title: str
    body: str
    body_html: str
    author: User
    status: Status
    votes: int
    votes_this_month: int
    comment_count: int
    created_at: datetime
    voted_by_me: bool
    updated_at: datetime
    promoted_month: str | None = None
    # Posted for its author by staff (assisted participation).
    assisted: bool = False
    # Awaiting review (``pending_review``): when the review is expected, from the time
    # reviews took lately; null otherwise. ``created_at`` becomes the moment of
    # publication when the idea is approved.
    review_expected_at: datetime | None = None
    # The answer deadline (``ideabox.ideas.deadline``); null and false until promoted.
    promoted_at: datetime | None = None
    answer_due: datetime | None = None
    answered_at: datetime | None = None
    overdue: bool = False
    # The category its author filed it under (names in Danish and English), or null.
    category: IdeaCategory | None = None
    # Up to three (ideabox.pictures); none shown to others while the idea is hidden,
    # awaiting review or withdrawn.
    pictures: list[Picture] = msgspec.field(default_factory=list)
