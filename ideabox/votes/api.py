"""JSON routes for votes: PUT to vote, DELETE to take it back. Both are idempotent."""

from __future__ import annotations

from litestar import Controller, delete, put

from ideabox.http.dependencies import ONE_STATEMENT
from ideabox.http.routing import BEARER, IdeaId, RequestDb, Svc, Writer, errors
from ideabox.votes import service
from ideabox.votes.service import VoteState

# 409: voting has closed on the idea (it was answered, withdrawn or hidden).
VOTE_ANSWERS = errors(400, 401, 403, 404, 409, 429)


class VoteController(Controller):
    path = "/ideas/{idea_id:int}/vote"
    tags = ["votes"]
    # A vote is one statement, atomic by itself: no BEGIN and COMMIT round trips.
    dependencies = ONE_STATEMENT

    @put("/", summary="Vote for an idea", security=BEARER, responses=VOTE_ANSWERS)
    async def cast(self, db: RequestDb, writer: Writer, idea_id: IdeaId,
                   services: Svc) -> VoteState:
        return await service.cast_vote(db, services, writer, idea_id)

    @delete("/", summary="Take your vote back", security=BEARER, status_code=200,
            responses=VOTE_ANSWERS)
    async def retract(self, db: RequestDb, writer: Writer, idea_id: IdeaId,
                      services: Svc) -> VoteState:
        return await service.retract_vote(db, services, writer, idea_id)


routes = [VoteController]
