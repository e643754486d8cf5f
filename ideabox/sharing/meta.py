"""The metadata a page gives a site its link is shared on (Open Graph, Twitter cards).

It is built from public content only: the idea's title and an excerpt of its text, the
purpose's title and statement. An idea hidden by a moderator or awaiting review has
none (``for_idea`` answers None): its page is 404 for everyone but its author and the
moderators, and what they share must not carry its text either.

The static image (``ideabox/static/share.png``, drawn from ``share-image.svg`` beside
this module) stands for the service on every page; an idea has no picture of its own.
"""

from __future__ import annotations

import html
import re
from typing import Literal

import msgspec
import nh3

from ideabox.ideas.schemas import Idea
from ideabox.platform import labels
from ideabox.purposes.schemas import Purpose

# Sites cut descriptions at about 200 characters (Facebook ~300, X ~200): stay under.
EXCERPT_LIMIT = 200

# Where one block of the rendered text ends, a space keeps its last word from running
# into the next block's first.
_BLOCK_END = re.compile(r"(</(?:p|li|h[1-6]|blockquote|pre|tr|td|th|dd|dt)>|<br\s*/?>|<hr\s*/?>)")
_SPACES = re.compile(r"\s+")


class ShareMeta(msgspec.Struct, frozen=True):
    """What a shared link shows: the page's title, a plain-text excerpt, its canonical
    address, and whether it is an article (an idea) or a website (a purpose)."""

    title: str
    description: str
    url: str
    type: Literal["article", "website"]
    base_url: str


def plain_excerpt(rendered_html: str, limit: int = EXCERPT_LIMIT) -> str:
    """The text of sanitised HTML (rendered Markdown) as one plain line of at most
    ``limit`` characters, cut at a word with an ellipsis when it is longer."""
    spaced = _BLOCK_END.sub(r"\1 ", rendered_html)
    text = html.unescape(nh3.clean(spaced, tags=set()))
    text = _SPACES.sub(" ", text).strip()
    if len(text) <= limit:
        return text
    cut = text[:limit - 1]
    # Cut at the last whole word (unless the cut falls between two words already).
    if text[limit - 1] != " " and " " in cut:
        cut = cut[:cut.rindex(" ")]
    return cut.rstrip(" ,.;:–-") + "…"


def _absolute(base_url: str, path: str) -> str:
    return base_url.rstrip("/") + path


def for_idea(idea: Idea, base_url: str) -> ShareMeta | None:
    """An idea's metadata, or None for one hidden or awaiting review."""
    if idea.status in labels.SECLUDED:
        return None
    return ShareMeta(title=idea.title, description=plain_excerpt(idea.body_html),
                     url=_absolute(base_url, f"/ideas/{idea.id}"), type="article",
                     base_url=base_url.rstrip("/"))


def for_purpose(purpose: Purpose, base_url: str) -> ShareMeta:
    """A purpose's metadata: its title and its statement."""
    return ShareMeta(title=purpose.title, description=plain_excerpt(purpose.statement_html),
                     url=_absolute(base_url, f"/purposes/{purpose.slug}"), type="website",
                     base_url=base_url.rstrip("/"))
