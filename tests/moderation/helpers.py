"""What the moderation tests share: a purpose with an author, a moderator and an idea,
made through the real service functions, and a way to run a service call as a request
would (in a transaction, with its after-commit work)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import TypeVar

import asyncpg

from ideabox.accounts.schemas import Viewer
from ideabox.ideas.schemas import IdeaCreate
from ideabox.ideas.service import create_idea, set_status
from ideabox.moderation import service
from ideabox.moderation.schemas import ModerationReason
from ideabox.platform.db import Db
from ideabox.services import Services
from tests.conftest import NOW
from tests.factories import make_purpose, make_user

T = TypeVar("T")

# How an idea comes to have each status that hiding must give back.
STATUSES = ("open", "promoted", "under_review", "accepted", "implemented", "rejected",
            "withdrawn")
_PATHS = {
    "open": [],
    "promoted": ["promoted"],
    "under_review": ["promoted", "under_review"],
    "accepted": ["promoted", "accepted"],
    "implemented": ["promoted", "accepted", "implemented"],
    "rejected": ["promoted", "rejected"],
    "withdrawn": ["withdrawn"],
}


async def committed(conn: asyncpg.Connection, work: Callable[[Db], Awaitable[T]]) -> T:
    """Run ``work`` as a request does: in a transaction, then its after-commit work."""
    db = Db(conn, NOW)
    await db.begin()
    try:
        result = await work(db)
    except BaseException:
        await db.rollback()
        raise
    await db.commit()
    return result


class Scene:
    """A purpose, an author, a moderator and an administrator."""

    def __init__(self, conn: asyncpg.Connection, services: Services) -> None:
        self.conn = conn
        self.services = services
        self.slug = ""
        self.purpose_id = 0
        self.author: Viewer
        self.moderator: Viewer
        self.admin: Viewer

    async def build(self) -> Scene:
        purpose = await make_purpose(self.conn, slug="havnen")
        self.slug, self.purpose_id = purpose.slug, purpose.id
        self.author, _ = await make_user(self.conn, display_name="Anna Jensen")
        self.moderator, _ = await make_user(self.conn, role="moderator",
                                            display_name="Mads Moderator")
        self.admin, _ = await make_user(self.conn, role="admin", display_name="Forvaltningen")
        return self

    async def idea(self, status: str = "open", title: str = "Flere bænke ved vandet",
                   author: Viewer | None = None) -> int:
        """An idea by the author, brought to ``status`` by the changes that lead there."""
        writer = author or self.author
        idea = await committed(self.conn, lambda db: create_idea(
            db, self.services, writer, self.slug, IdeaCreate(title=title, body="Tekst.")))
        old = "open"
        for new in _PATHS[status]:
            by = writer.id if new == "withdrawn" else self.admin.id
            await committed(self.conn, lambda db, o=old, n=new, b=by: set_status(
                db, self.services, idea.id, o, n, b, "test"))
            old = new
        return idea.id

    async def hide(self, idea_id: int, reason: str = "Nævner en nabo ved navn.",
                   by: Viewer | None = None) -> str:
        found = await committed(self.conn, lambda db: service.hide_idea(
            db, self.services, by or self.moderator, idea_id, ModerationReason(reason=reason)))
        return found.status

    async def unhide(self, idea_id: int, reason: str = "Navnet er fjernet.",
                     by: Viewer | None = None) -> str:
        found = await committed(self.conn, lambda db: service.unhide_idea(
            db, self.services, by or self.moderator, idea_id, ModerationReason(reason=reason)))
        return found.status
