"""Following an idea, and reading one's notifications, in the browser."""

from __future__ import annotations

from litestar import post
from litestar.response import Redirect
from litestar.types import ControllerRouterHandler

from ideabox.notifications import service
from ideabox.routing import AnyRequest, IdeaId, RequestDb, SignedIn
from ideabox.web.render import form_of, see_other


@post("/ideas/{idea_id:int}/follow")
async def follow(request: AnyRequest, db: RequestDb, user: SignedIn, idea_id: IdeaId) -> Redirect:
    """Follow an idea (notifications when its status changes), or stop following it."""
    if (await form_of(request)).get("action") == "unfollow":
        await service.unfollow_idea(db.conn, user, idea_id)
    else:
        await service.follow_idea(db, user, idea_id)
    return see_other(f"/ideas/{idea_id}#follow")


@post("/me/notifications/read")
async def read_all(db: RequestDb, user: SignedIn) -> Redirect:
    """Mark every notification read."""
    await service.mark_all_read(db, user)
    return see_other("/me#my-notifications")


routes: list[ControllerRouterHandler] = [follow, read_all]
