"""The vote button. With htmx it swaps the button and the tally in place (and tells
screen readers the new count); without JavaScript the form posts and the idea page
comes back."""

from __future__ import annotations

from litestar import Controller, post
from litestar.response import Redirect, Template
from litestar.types import ControllerRouterHandler

from ideabox.http.pages.render import form_of, is_htmx, page, see_other
from ideabox.http.routing import AnyRequest, IdeaId, RequestDb, Svc, Writer
from ideabox.ideas.service import get_idea
from ideabox.platform.errors import Conflict
from ideabox.votes import service


class VotePages(Controller):
    path = "/ideas/{idea_id:int}/vote"

    @post("/")
    async def vote(self, request: AnyRequest, db: RequestDb, writer: Writer, services: Svc,
                   idea_id: IdeaId) -> Template | Redirect:
        """Cast or take back the reader's vote (both idempotent, so a double click or a
        resent form changes nothing)."""
        action = (await form_of(request)).get("action")
        if action == "retract":
            await service.retract_vote(db, services, writer, idea_id)
        elif action == "cast":
            await service.cast_vote(db, services, writer, idea_id)
        else:
            raise Conflict("vote_action")
        if not is_htmx(request):
            return see_other(f"/ideas/{idea_id}#stem")
        idea = await get_idea(db.conn, services, writer, idea_id)
        return page("partials/vote.html", idea=idea, viewer=writer, announce=True)


routes: list[ControllerRouterHandler] = [VotePages]
