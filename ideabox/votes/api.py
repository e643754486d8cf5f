"""JSON routes for votes: PUT to vote, DELETE to take it back. Both are idempotent."""

from __future__ import annotations

from litestar import Controller, delete, put
from litestar.datastructures import State

from ideabox.db import SINGLE_STATEMENT
from ideabox.routing import BEARER, IdeaId, RequestDb, SignedIn, errors
from ideabox.votes import service
from ideabox.votes.reading import tallies_of
from ideabox.votes.service import VoteState

# 409: voting has closed on the idea (it was answered, withdrawn or hidden).
VOTE_ANSWERS = errors(400, 401, 403, 404, 409, 429)


class VoteController(Controller):
    path = "/ideas/{idea_id:int}/vote"
    tags = ["votes"]

    @put("/", summary="Vote for an idea", security=BEARER, opt=SINGLE_STATEMENT,
         responses=VOTE_ANSWERS)
    async def cast(self, db: RequestDb, user: SignedIn, idea_id: IdeaId, state: State) -> VoteState:
        return await service.cast_vote(db, tallies_of(state), user, idea_id)

    @delete("/", summary="Take your vote back", security=BEARER, status_code=200,
            opt=SINGLE_STATEMENT, responses=VOTE_ANSWERS)
    async def retract(self, db: RequestDb, user: SignedIn, idea_id: IdeaId,
                      state: State) -> VoteState:
        return await service.retract_vote(db, tallies_of(state), user, idea_id)


routes = [VoteController]
