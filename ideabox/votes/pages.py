"""The vote button. With htmx it swaps the button and the tally in place (and tells
screen readers the new count); without JavaScript the form posts and the idea page
comes back."""

from __future__ import annotations

from litestar import Controller, post
from litestar.datastructures import State
from litestar.response import Redirect, Template
from litestar.types import ControllerRouterHandler

from ideabox.errors import Conflict
from ideabox.ideas.service import get_idea
from ideabox.routing import AnyRequest, IdeaId, RequestDb, SignedIn
from ideabox.votes import service
from ideabox.votes.reading import tallies_of
from ideabox.web.render import form_of, is_htmx, page, see_other


class VotePages(Controller):
    path = "/ideas/{idea_id:int}/vote"

    @post("/")
    async def vote(self, request: AnyRequest, db: RequestDb, user: SignedIn, state: State,
                   idea_id: IdeaId) -> Template | Redirect:
        """Cast or take back the reader's vote (both idempotent, so a double click or a
        resent form changes nothing)."""
        action = (await form_of(request)).get("action")
        tallies = tallies_of(state)
        if action == "retract":
            await service.retract_vote(db, tallies, user, idea_id)
        elif action == "cast":
            await service.cast_vote(db, tallies, user, idea_id)
        else:
            raise Conflict("Choose to vote or to remove your vote")
        if not is_htmx(request):
            return see_other(f"/ideas/{idea_id}#stem")
        idea = await get_idea(db.conn, tallies, user, idea_id)
        return page("partials/vote.html", idea=idea, viewer=user, announce=True)


routes: list[ControllerRouterHandler] = [VotePages]
