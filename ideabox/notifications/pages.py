"""Following an idea, and reading one's notifications, in the browser."""

from __future__ import annotations

from litestar import post
from litestar.response import Redirect
from litestar.types import ControllerRouterHandler

from ideabox.http.pages.render import form_of, see_other
from ideabox.http.routing import AnyRequest, IdeaId, RequestDb, Writer
from ideabox.notifications import service


@post("/ideas/{idea_id:int}/follow")
async def follow(request: AnyRequest, db: RequestDb, writer: Writer, idea_id: IdeaId) -> Redirect:
    """Follow an idea (notifications when its status changes), or stop following it."""
    if (await form_of(request)).get("action") == "unfollow":
        await service.unfollow_idea(db.conn, writer, idea_id)
    else:
        await service.follow_idea(db, writer, idea_id)
    return see_other(f"/ideas/{idea_id}#follow")


@post("/me/notifications/read")
async def read_all(db: RequestDb, writer: Writer) -> Redirect:
    """Mark every notification read."""
    await service.mark_all_read(db, writer)
    return see_other("/me#my-notifications")


routes: list[ControllerRouterHandler] = [follow, read_all]
