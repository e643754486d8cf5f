"""A month's promotion as the API shows it, and what an admin sends to run one."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

import msgspec

from ideabox.identity.eligibility import Eligibility
from ideabox.platform.months import MONTH_PATTERN

# The years are checked by ``parse_month``, which says which are allowed; the OpenAPI
# description states them in the pattern.
Month = Annotated[str, msgspec.Meta(pattern=r"^\d{4}-(0[1-9]|1[0-2])$",
                                    description="A calendar month, YYYY-MM (2000-01 to "
                                                "9998-12)",
                                    examples=["2026-11"],
                                    extra_json_schema={"extra": {"pattern": MONTH_PATTERN}})]

Trigger = Literal["promotion:schedule", "promotion:cli", "promotion:api"]


class PromotionCreate(msgspec.Struct, forbid_unknown_fields=True):
    month: Month


class PromotedIdea(msgspec.Struct):
    rank: int
    idea_id: int
    title: str
    votes_in_month: int
    total_votes: int


class Promotion(msgspec.Struct):
    """The recorded result of promoting one month of one purpose (``items`` may be empty:
    the month was promoted and nothing qualified)."""

    purpose: str
    month: str
    items: list[PromotedIdea]
    ran_at: datetime
    trigger: str
    # The rule the votes were counted by: those of people eligible at the month's end
    # under it, not held when the promotion ran. Null for a month promoted before
    # eligibility existed, when every vote counted.
    eligibility: Eligibility | None = None
    # The month's votes for the ideas in the running that did not count by that rule
    # (null before eligibility existed).
    votes_not_counted: int | None = None


class Difference(msgspec.Struct):
    """One way a recorded promotion differs from a recomputation from the vote log."""

    rank: int | None
    message: str


class Verification(msgspec.Struct):
    purpose: str
    month: str
    recorded: bool
    differences: list[Difference]

    @property
    def ok(self) -> bool:
        return self.recorded and not self.differences
