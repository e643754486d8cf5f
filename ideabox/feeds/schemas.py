"""What a feed holds, before it is written as Atom: entries in the words of the reader's
language, their text already safe HTML (the Markdown the service rendered)."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

import msgspec

Kind = Literal["all", "ideas", "answers"]
"""What a purpose's feed holds: new ideas, the administration's answers, or both."""

FeedLang = Literal["da", "en"]


class Entry(msgspec.Struct, frozen=True, kw_only=True):
    """One entry: ``key`` makes its tag URI (``idea/12``, ``status-change/34``);
    ``sequence`` (the row's id) orders entries of one instant."""

    key: str
    sequence: int
    title: str
    author: str
    published: datetime
    updated: datetime
    link: str
    html: str | None = None
    # The idea's status the entry tells of (an Atom category), as code and as label.
    status: str | None = None
    status_label: str | None = None


class Feed(msgspec.Struct, frozen=True, kw_only=True):
    """A whole feed: ``key`` makes its tag URI, ``page`` is the HTML page it follows,
    ``since`` stands as its last change while it has no entries."""

    key: str
    lang: FeedLang
    title: str
    page: str
    since: datetime
    entries: list[Entry]

    @property
    def updated(self) -> datetime:
        """The newest change among the entries, or ``since`` when there is none."""
        return max((entry.updated for entry in self.entries), default=self.since)
