"""The shape of the demo's hand-written content."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from ideabox.identity.eligibility import Eligibility
from ideabox.purposes.schemas import Audience
from ideabox.responses.schemas import Answer

# Who wrote an idea: one of the two accounts the demo prints for trying it out, or
# anybody the purpose's audience allows (chosen by the seed).
AuthorHint = Literal["resident", "staff", "anyone"]


@dataclass(frozen=True)
class Reply:
    """A reply in a written thread; ``by_author``: the idea's author answers."""

    text: str
    by_author: bool = False


@dataclass(frozen=True)
class Thread:
    """A comment written for one idea, with the replies it got."""

    text: str
    replies: tuple[Reply, ...] = ()
    by_staff: bool = False  # said by someone who works for the municipality


@dataclass(frozen=True)
class Response:
    """One public answer from the administration: a status and why."""

    status: Answer
    text: str


@dataclass(frozen=True)
class IdeaText:
    """An idea as the demo posts it.

    ``month``: 0 posted this month, -1 last month, -2 the month before. ``appeal``: how
    many people like it, from 1 (a few) to 10 (most who see it). ``responses``: what the
    administration answers, in order, if the idea is promoted; ideas promoted last month
    without responses wait for their answer.
    """

    title: str
    body: str
    month: int
    appeal: float
    responses: tuple[Response, ...] = ()
    threads: tuple[Thread, ...] = ()
    author: AuthorHint = "anyone"
    withdrawn: bool = False


@dataclass(frozen=True)
class PurposeText:
    """A purpose, its statement, and the ideas posted for it."""

    key: str
    slug: str
    title: str
    statement: str
    audience: Audience
    ideas: tuple[IdeaText, ...]
    comments: tuple[str, ...]  # comments that suit any idea of the purpose
    # Verified residents only, or everyone with a confirmed e-mail (the demo's residents
    # are all vouched for as living in the municipality).
    eligibility: Eligibility = "verified_email"
