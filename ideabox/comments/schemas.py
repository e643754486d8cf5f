"""Comments as the API reads and writes them."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

import msgspec

from ideabox.accounts.schemas import User
from ideabox.assisted.schemas import OnBehalfOf
from ideabox.platform.validation import LINES

Body = Annotated[str, msgspec.Meta(min_length=1, max_length=5000, description="Markdown",
                                   extra_json_schema=LINES)]
CommentId = Annotated[int, msgspec.Meta(ge=1, le=2**63 - 1)]


class CommentCreate(msgspec.Struct, forbid_unknown_fields=True):
    body: Body
    parent_id: CommentId | None = None
    on_behalf_of: OnBehalfOf | None = None


class CommentUpdate(msgspec.Struct, forbid_unknown_fields=True):
    body: Body


class Comment(msgspec.Struct):
    """A comment and, nested, its replies. A deleted comment keeps its place in the
    thread, without author or text, so the replies to it still make sense; so does a
    comment hidden pending review (``hidden``), whose author and moderators still read it."""

    id: int
    idea_id: int
    parent_id: int | None
    author: User | None
    body: str
    body_html: str
    created_at: datetime
    edited: bool
    deleted: bool
    replies: list[Comment] = msgspec.field(default_factory=list)
    # Written for its author by staff (assisted participation).
    assisted: bool = False
    hidden: bool = False
