"""Moderation in the browser: the forms to hide an idea and show it again (on the
idea's page, in disclosures, so they work without JavaScript), and the moderators' page
with the ideas hidden now and the log."""

from __future__ import annotations

from typing import Annotated

from litestar import get, post
from litestar.params import QueryParameter
from litestar.response import Redirect, Template
from litestar.types import ControllerRouterHandler

from ideabox.http.pages import forms
from ideabox.http.pages.render import form_of, lang, page, see_other
from ideabox.http.routing import AnyRequest, IdeaId, RequestDb, SignedIn, Svc, Writer
from ideabox.ideas.views import idea_page
from ideabox.moderation import service
from ideabox.moderation.schemas import ModerationReason
from ideabox.platform.errors import Forbidden, IdeaboxError

PER_PAGE = 25
CursorParam = Annotated[str | None, QueryParameter(max_length=512)]


async def _moderate(request: AnyRequest, db: RequestDb, user: SignedIn, services: Svc,
                    idea_id: int, hide: bool) -> Template | Redirect:
    form = await form_of(request)
    status = 400
    try:
        data = forms.parse(form, ModerationReason, lang(request))
        act = service.hide_idea if hide else service.unhide_idea
        await act(db, services, user, idea_id, data)
    except forms.FormInvalid as exc:
        errors = exc.errors
    except IdeaboxError as exc:
        errors = await forms.recover(db, lang(request), exc)
        status = exc.status_code
    else:
        return see_other(f"/ideas/{idea_id}#moderation")
    return await idea_page(db, user, services, idea_id, status=status,
                           moderation_action="hide" if hide else "unhide",
                           moderation_errors=errors, moderation_values=form)


@post("/ideas/{idea_id:int}/hide")
async def hide(request: AnyRequest, db: RequestDb, writer: Writer, services: Svc,
               idea_id: IdeaId) -> Template | Redirect:
    """Hide the idea with a reason for its author; the form again with what to fix."""
    return await _moderate(request, db, writer, services, idea_id, hide=True)


@post("/ideas/{idea_id:int}/unhide")
async def unhide(request: AnyRequest, db: RequestDb, writer: Writer, services: Svc,
                 idea_id: IdeaId) -> Template | Redirect:
    """Show the hidden idea again, with the status it had, and a reason for its author."""
    return await _moderate(request, db, writer, services, idea_id, hide=False)


@get("/admin/moderation")
async def moderation_page(db: RequestDb, user: SignedIn, log: CursorParam = None,
                          hidden: CursorParam = None) -> Template:
    """The ideas hidden now and the moderation log, each paging on by its own cursor."""
    if not user.is_moderator:
        raise Forbidden("moderators_only_page")
    return page("admin/moderation.html", viewer=user,
                hidden=await service.list_hidden_ideas(db.conn, user, limit=PER_PAGE,
                                                       cursor=hidden),
                log=await service.moderation_log(db.conn, user, limit=PER_PAGE, cursor=log),
                cursors={"hidden": hidden, "log": log})


routes: list[ControllerRouterHandler] = [hide, unhide, moderation_page]
