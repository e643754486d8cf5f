"""JSON routes for moderation: hide and show an idea again, read the log and the ideas
hidden now."""

from __future__ import annotations

from litestar import Controller, get, post
from litestar.params import JSONBody

from ideabox.http.routing import (
    BEARER,
    Cursor,
    IdeaId,
    Limit,
    RequestDb,
    SignedIn,
    Svc,
    Writer,
    errors,
)
from ideabox.ideas.schemas import Idea
from ideabox.moderation import service
from ideabox.moderation.schemas import HiddenIdea, ModerationEntry, ModerationReason
from ideabox.platform.pagination import Page


class IdeaModerationController(Controller):
    path = "/ideas/{idea_id:int}"
    tags = ["moderation"]
    security = BEARER

    @post("/hide", summary="Hide an idea, telling its author why (moderators)", status_code=200,
          responses=errors(400, 401, 403, 404, 409, 429))
    async def hide(self, db: RequestDb, writer: Writer, idea_id: IdeaId,
                   data: JSONBody[ModerationReason], services: Svc) -> Idea:
        """409 if the idea is hidden already."""
        return await service.hide_idea(db, services, writer, idea_id, data)

    @post("/unhide", summary="Show a hidden idea again, with the status it had (moderators)",
          status_code=200, responses=errors(400, 401, 403, 404, 409, 429))
    async def unhide(self, db: RequestDb, writer: Writer, idea_id: IdeaId,
                     data: JSONBody[ModerationReason], services: Svc) -> Idea:
        """409 if the idea is not hidden."""
        return await service.unhide_idea(db, services, writer, idea_id, data)


class ModerationController(Controller):
    path = "/moderation"
    tags = ["moderation"]
    security = BEARER

    @get("/log", summary="Every moderator action, newest first (moderators)",
         responses=errors(400, 401, 403))
    async def log(self, db: RequestDb, user: SignedIn, limit: Limit = 20,
                  cursor: Cursor = None) -> Page[ModerationEntry]:
        return await service.moderation_log(db.conn, user, limit=limit, cursor=cursor)

    @get("/hidden-ideas", summary="The ideas hidden now, the latest first (moderators)",
         responses=errors(400, 401, 403))
    async def hidden(self, db: RequestDb, user: SignedIn, limit: Limit = 20,
                     cursor: Cursor = None) -> Page[HiddenIdea]:
        return await service.list_hidden_ideas(db.conn, user, limit=limit, cursor=cursor)


routes = [IdeaModerationController, ModerationController]
