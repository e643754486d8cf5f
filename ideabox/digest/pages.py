"""Following a purpose from its page."""

from __future__ import annotations

from litestar import post
from litestar.response import Redirect
from litestar.types import ControllerRouterHandler

from ideabox.digest import follows
from ideabox.http.pages.render import form_of, see_other
from ideabox.http.routing import AnyRequest, PurposeSlug, RequestDb, Writer


@post("/purposes/{slug:str}/follow")
async def follow(request: AnyRequest, db: RequestDb, writer: Writer,
                 slug: PurposeSlug) -> Redirect:
    """Follow a purpose (its new ideas in the weekly digest), or stop following it."""
    if (await form_of(request)).get("action") == "unfollow":
        await follows.unfollow_purpose(db, writer, slug)
    else:
        await follows.follow_purpose(db, writer, slug)
    return see_other(f"/purposes/{slug}#follow-purpose")


routes: list[ControllerRouterHandler] = [follow]
