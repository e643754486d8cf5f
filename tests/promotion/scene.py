"""A purpose with ideas and votes at chosen moments, built through the API, for the tests of
the promotion, responses, notifications and exports."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

import asyncpg
import httpx
from litestar import Litestar

from ideabox.accounts.schemas import Viewer
from ideabox.ideas.service import set_status
from ideabox.platform.db import Db
from tests.factories import (
    backdate_idea,
    backdate_people,
    backdate_votes,
    bearer,
    make_purpose,
    make_user,
    post_idea,
    vote_as,
)

CPH = ZoneInfo("Europe/Copenhagen")
LONG_AGO = datetime(2026, 1, 1, tzinfo=CPH)


def cph(year: int, month: int, day: int, hour: int = 12, minute: int = 0) -> datetime:
    """A moment in Copenhagen time."""
    return datetime(year, month, day, hour, minute, tzinfo=CPH)


class Scene:
    def __init__(self, client: httpx.AsyncClient, db: asyncpg.Connection) -> None:
        self.client = client
        self.db = db
        self.slug = ""
        self.admin: Viewer
        self.admin_token = ""
        self.author: Viewer
        self.author_token = ""
        self.voters: list[tuple[Viewer, str]] = []

    async def build(self, *, slug: str = "havnen", voters: int = 6, author: str = "Anna Jensen",
                    **purpose: Any) -> Scene:
        """The purpose, an admin, an author and some voters, all made as if long ago (the
        people verified then, so that votes moved back in time count)."""
        made = await make_purpose(self.db, slug=slug, **purpose)
        self.slug = made.slug
        await self.db.execute("UPDATE purposes SET created_at = $2 WHERE id = $1", made.id,
                              LONG_AGO)
        self.admin, self.admin_token = await make_user(self.db, role="admin",
                                                       display_name="Forvaltningen")
        self.author, self.author_token = await make_user(self.db, display_name=author)
        for n in range(voters):
            self.voters.append(await make_user(self.db, display_name=f"Vælger {n + 1}"))
        await backdate_people(self.db, [self.admin.id, self.author.id,
                                        *(viewer.id for viewer, _ in self.voters)], LONG_AGO)
        return self

    async def idea(self, title: str, posted_at: datetime, *, token: str | None = None) -> int:
        idea = await post_idea(self.client, token or self.author_token, self.slug, title=title)
        await backdate_idea(self.db, idea["id"], posted_at)
        idea_id: int = idea["id"]
        return idea_id

    async def votes(self, idea_id: int, voters: range | list[int], cast_at: datetime) -> None:
        """Votes from the voters numbered ``voters`` (0-based), cast at ``cast_at``."""
        chosen = [self.voters[i] for i in voters]
        await vote_as(self.client, [token for _, token in chosen], idea_id)
        await backdate_votes(self.db, idea_id, [viewer.id for viewer, _ in chosen], cast_at)

    async def promote(self, month: str, *, token: str | None = None) -> httpx.Response:
        return await self.client.post(f"/api/v1/purposes/{self.slug}/promotions",
                                      json={"month": month},
                                      headers=bearer(token or self.admin_token))

    async def respond(self, idea_id: int, status: str, response: str) -> httpx.Response:
        return await self.client.post(f"/api/v1/ideas/{idea_id}/responses",
                                      json={"status": status, "response": response},
                                      headers=bearer(self.admin_token))


async def change_status(app: Litestar, idea_id: int, old: str, new: str, *, by: int | None,
                        trigger: str) -> None:
    """A status change through the ideas service (as moderation would make one)."""
    async with app.state.services.pool.acquire() as conn:
        db = Db(conn, app.state.services.clock.now())
        await db.begin()
        await set_status(db, app.state.services, idea_id, old, new, by, trigger)
        await db.commit()
